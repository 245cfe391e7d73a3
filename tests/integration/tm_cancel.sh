#!/bin/sh
# The UAC cancels while the UAS rings: siphost answers the CANCEL with 200, cancels the branch (the UAS checks
# the CANCEL carries tm's branch), relays the UAS's 487 and absorbs the UAC's ACK.
. "$(dirname "$0")/lib.sh"

start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_failure.cfg"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_cancel.xml"
run_uac 127.0.0.1:5060 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uac_cancel.xml" ||
    fail "the UAC did not get 200 for its CANCEL and 487"
wait_uas || fail "the UAS did not get the CANCEL and the ACK"
sleep 3 # timers of 1 s here; the margin is for a busy machine
stop_siphost

expect_log '<script>: request CANCEL' 1
expect_log '<script>: failure_route T_reply_code=487 avp=kept branch=1' 1
expect_log '<script>: failure_route canceled' 1
expect_log '<script>: request ACK' 1 # as in Kamailio: the script sees it, t_relay()/t_check_trans() take it
expect_log 'counters:.* tm\.relayed_4xx=1( |$)' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
echo "PASS: tm cancel"
