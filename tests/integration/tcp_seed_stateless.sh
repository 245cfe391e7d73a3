#!/bin/sh
# The seed's stateless config over TCP: sipp -t t1 (one connection) and -t tn (one per call) on both sides,
# forward_tcp() to the UAS; the same AVP log lines as over UDP, replies back over the caller's connection.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tcp_lib.sh"

seed_config stateless 'forward("127.0.0.1", 5080)' 'forward_tcp("127.0.0.1", 5080)' "$WORK/stateless.cfg"
start_siphost "$WORK/stateless.cfg"
grep -q "listening on tcp:127.0.0.1:5060" "$WORK/siphost.log" || fail "siphost does not say it listens on TCP"

start_tcp_uas uas 5080 1 -sn uas
run_uac 127.0.0.1:5060 1 -sn uac -t t1 || fail "the call over TCP (t1) through siphost failed"
wait_uas || fail "the UAS did not complete the call"

start_tcp_uas uas-tn 5080 5 -sn uas
run_uac 127.0.0.1:5060 5 -sn uac -t tn -max_socket 100 -r 5 || fail "5 calls over TCP (tn) through siphost failed"
wait_uas || fail "the UAS did not complete the 5 calls"
stop_siphost

expect_log 'for INVITE the value of AVP "state_test_var" is I remember' 6
expect_log 'for 200 response the value of AVP "state_test_var" is <null>' 12
expect_log 'for BYE the value of AVP "state_test_var" is <null>' 6
expect_log 'cannot send' 0
echo "PASS: seed stateless over TCP"
