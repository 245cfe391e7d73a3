#!/bin/sh
# The seed's stateful config, one call: the INVITE and every reply of the INVITE transaction (the UAS's 100,
# 180 and 200) see the AVP through onreply_route[OurReplyRoute]; the ACK, the BYE and the BYE's 200 do not
# (../shared/design/KAMAILIO-BEHAVIOUR.md); the call succeeds and no transaction is left after wt_timer.
. "$(dirname "$0")/lib.sh"

start_siphost "$SOURCE_DIR/cfg/seed-stateful.cfg"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml"
run_uac 127.0.0.1:5060 1 -sn uac || fail "the call through siphost failed"
wait_uas || fail "the UAS did not complete the call"
sleep 7 # wt_timer (5 s): the finished transactions go
stop_siphost

expect_log '<script>: for INVITE the value of AVP "state_test_var" is I remember' 1
expect_log '<script>: for 100 response the value of AVP "state_test_var" is I remember' 1
expect_log '<script>: for 180 response the value of AVP "state_test_var" is I remember' 1
expect_log '<script>: for 200 response the value of AVP "state_test_var" is I remember' 1
expect_log '<script>: for ACK the value of AVP "state_test_var" is <null>' 1
expect_log '<script>: for BYE the value of AVP "state_test_var" is <null>' 1
expect_log '<script>: for 200 response the value of AVP "state_test_var" is <null>' 1
expect_log 'state_test_var' 7
expect_log 'counters:.* tm\.created=2( |$)' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
echo "PASS: seed stateful call"
