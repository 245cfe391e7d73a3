#!/bin/sh
# t_newtran(), t_check_trans() and a stateful send_reply(): the UAC gets tm's 100 (with the configured
# reason) and the 404, ACKs it in the INVITE's transaction, and tm absorbs the ACK.
. "$(dirname "$0")/lib.sh"

sed 's/CODE_HERE/404/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_404.xml"
start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_reply.cfg"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_404.xml" -trace_msg || fail "the UAC did not get 404"
sleep 3 # wt_timer is 1 s here; the margin is for a busy machine
stop_siphost

grep -q "SIP/2.0 100 Wait a moment" "$WORK"/*_messages.log || fail "no 100 with the auto_inv_100_reason"
grep -q "SIP/2.0 404 Not Here" "$WORK"/*_messages.log || fail "no 404 from send_reply"
expect_log '<script>: request INVITE' 1
expect_log '<script>: no transaction yet for INVITE' 1
expect_log '<script>: new transaction for INVITE' 1
expect_log '<script>: transaction exists for INVITE' 1
expect_log '<script>: request ACK' 1 # as in Kamailio: the script sees it, t_relay()/t_check_trans() take it
expect_log 'counters:.* tm\.local_replies=2( |$)' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
expect_log 'counters:.* sl\.sent_replies=0( |$)' 1
echo "PASS: tm reply"
