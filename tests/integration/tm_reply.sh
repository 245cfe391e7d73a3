#!/bin/sh
# t_newtran(), t_check_trans() and a stateful send_reply(): the UAC gets the 404 alone (t_newtran() sends no
# 100: only t_relay() does, as in Kamailio 5.6.3), ACKs it in the INVITE's transaction, and tm absorbs the
# ACK. Then an INVITE that t_relay() relays to a busy UAS: the UAC gets tm's 100 with the configured reason.
. "$(dirname "$0")/lib.sh"

sed 's/CODE_HERE/404/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_404.xml"
start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_reply.cfg"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_404.xml" -trace_msg -message_file "$WORK/reply.msg" ||
    fail "the UAC did not get 404"
sed 's/CODE_HERE/486/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_486.xml"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_486.xml" -s relay -trace_msg -message_file "$WORK/relay.msg" ||
    fail "the relayed INVITE did not get 486"
wait_uas || fail "the UAS did not complete its call"
sleep 3 # wt_timer is 1 s here; the margin is for a busy machine
stop_siphost

grep -q "SIP/2.0 100 " "$WORK/reply.msg" && fail "a 100 after t_newtran() and a stateful reply"
grep -q "SIP/2.0 404 Not Here" "$WORK/reply.msg" || fail "no 404 from send_reply"
grep -q "SIP/2.0 100 Wait a moment" "$WORK/relay.msg" || fail "no 100 with the auto_inv_100_reason on t_relay()"
expect_log '<script>: request INVITE' 2
expect_log '<script>: no transaction yet for INVITE' 2
expect_log '<script>: new transaction for INVITE' 1
expect_log '<script>: transaction exists for INVITE' 1
expect_log '<script>: request ACK' 2 # as in Kamailio: the script sees it, t_relay()/t_check_trans() take it
expect_log 'counters:.* tm\.local_replies=2( |$)' 1 # the 404, and the relayed INVITE's 100
expect_log 'counters:.* tm\.active=0( |$)' 1
expect_log 'counters:.* sl\.sent_replies=0( |$)' 1
echo "PASS: tm reply"
