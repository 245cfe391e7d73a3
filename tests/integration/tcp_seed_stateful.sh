#!/bin/sh
# The seed's stateful config over TCP: t_relay_to_tcp() to a sipp UAS over TCP, callers over -t t1 and -t tn;
# the AVP is seen by every reply of the INVITE transaction, as over UDP, and no transaction is left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tcp_lib.sh"

seed_config stateful 't_relay_to_udp("127.0.0.1", "5080")' 't_relay_to_tcp("127.0.0.1", "5080")' \
    "$WORK/stateful.cfg"
start_siphost "$WORK/stateful.cfg"

start_tcp_uas uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml"
run_uac 127.0.0.1:5060 1 -sn uac -t t1 || fail "the call over TCP (t1) through siphost failed"
wait_uas || fail "the UAS did not complete the call"

start_tcp_uas uas-tn 5080 5 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml"
run_uac 127.0.0.1:5060 5 -sn uac -t tn -max_socket 100 -r 5 || fail "5 calls over TCP (tn) through siphost failed"
wait_uas || fail "the UAS did not complete the 5 calls"
sleep 7 # wt_timer (5 s): the finished transactions go
stop_siphost

expect_log '<script>: for INVITE the value of AVP "state_test_var" is I remember' 6
expect_log '<script>: for 180 response the value of AVP "state_test_var" is I remember' 6
expect_log '<script>: for 200 response the value of AVP "state_test_var" is I remember' 6
expect_log '<script>: for BYE the value of AVP "state_test_var" is <null>' 6
expect_log 'counters:.* tm\.created=12( |$)' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
echo "PASS: seed stateful over TCP"
