#!/bin/sh
# Parallel forking: append_branch() adds a second target and t_relay() sends the INVITE to both at once. The
# first UAS rings; the second rings, then answers 200 half a second later. The UAC gets the second one's 200
# (its scenario checks the To-tag), tm CANCELs the first branch (its scenario requires the CANCEL through tm's
# branch, answers 487 and waits for the hop-by-hop ACK), and the 487 is not relayed upstream.
. "$(dirname "$0")/lib.sh"

# The second UAS: a To-tag of its own, and a pause before the 200 so that the first has rung by then.
sed 's/SIPpTag01/SIPpTag02/; s|<send retrans="500">|<pause milliseconds="500"/>\n  <send retrans="500">|' \
    "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml" > "$WORK/uas_answers.xml"
start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_parallel.cfg"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_cancel.xml"
RINGING_UAS=$UAS_PID
start_named_uas uas2 5082 1 -sf "$WORK/uas_answers.xml"
ANSWERING_UAS=$UAS_PID
run_uac 127.0.0.1:5060 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uac_forked.xml" \
    || fail "the UAC's call through the fork did not complete"
UAS_PID=$ANSWERING_UAS
wait_uas || fail "the answering UAS did not get its ACK and BYE"
UAS_PID=$RINGING_UAS
wait_uas || fail "the ringing UAS was not cancelled and ACKed"
sleep 3 # wt_timer is 1 s here; the margin is for a busy machine
stop_siphost

expect_log '<script>: request INVITE' 1
expect_log '<script>: branch 0 to sip:service@127\.0\.0\.1:5060 via sip:127\.0\.0\.1:5080' 1
expect_log '<script>: branch 1 to sip:second@127\.0\.0\.1:5082 via <null>' 1
expect_log '<script>: reply 180 on branch 0' 1
expect_log '<script>: reply 200 on branch 1' 1
expect_log '<script>: reply 487 on branch 0' 1
expect_log 'counters:.* tm\.relayed_2xx=2( |$)' 1
expect_log 'counters:.* tm\.relayed_4xx=0( |$)' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
echo "PASS: tm parallel fork"
