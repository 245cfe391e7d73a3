#!/bin/sh
# The UAS answers 486: siphost ACKs it hop by hop (the UAS checks the ACK carries tm's branch and the 486's
# To-tag), failure_route sees 486 with the transaction's AVP, the UAC gets the 486 and ACKs siphost, which
# takes that ACK in t_relay() after request_route saw it, as Kamailio (the UAS gets exactly one ACK: its scenario
# would fail on a second).
. "$(dirname "$0")/lib.sh"

sed 's/CODE_HERE/486/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_486.xml"
start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_failure.cfg"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_486.xml" || fail "the UAC did not get 486"
wait_uas || fail "the UAS did not get siphost's ACK"
sleep 3 # wt_timer is 1 s here; the margin is for a busy machine
stop_siphost

expect_log '<script>: onreply 180 avp=kept T_reply_code=180' 1
expect_log '<script>: onreply 486 avp=kept T_reply_code=486' 1
# Each route logs with its own message's log_prefix, as in Kamailio: onreply_route the reply's, failure_route
# (run by that reply) the INVITE's.
expect_log '\{2 1 INVITE [^ }]+\} <script>: onreply 486' 1
expect_log '\{1 1 INVITE [^ }]+\} <script>: failure_route T_reply_code=486' 1
expect_log '<script>: failure_route T_reply_code=486 avp=kept branch=1' 1
expect_log '<script>: failure_route matched 486' 1
expect_log '<script>: failure_route is failure route' 1
expect_log '<script>: failure_route branch replied' 1
expect_log '<script>: failure_route branch timed out' 0
expect_log '<script>: failure_route canceled' 0
expect_log '<script>: request ACK' 1 # as in Kamailio: the script sees it, t_relay()/t_check_trans() take it
expect_log 'counters:.* tm\.active=0( |$)' 1
expect_log 'counters:.* tm\.relayed_4xx=1( |$)' 1
echo "PASS: tm busy"
