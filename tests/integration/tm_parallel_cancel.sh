#!/bin/sh
# CANCEL of a forked INVITE: append_branch() forks it to two UASs that both ring; the UAC cancels once both
# 180s have come. Each UAS must get a CANCEL through tm's branch, answer 487 and get siphost's hop-by-hop ACK
# (their scenarios check all three); the UAC gets 200 for its CANCEL and one 487.
. "$(dirname "$0")/lib.sh"

# The UAC waits for both branches' 180 before it cancels (one more step: the CANCEL and the ACK take the
# INVITE's branch from one step further back).
sed 's|<recv response="180"/>|<recv response="180"/>\n  <recv response="180"/>|; s/\[branch-3\]/[branch-4]/; s/\[branch-6\]/[branch-7]/' \
    "$SOURCE_DIR/tests/integration/scenarios/tm_uac_cancel.xml" > "$WORK/uac_cancel_forked.xml"
sed 's/SIPpTag01/SIPpTag02/' "$SOURCE_DIR/tests/integration/scenarios/tm_uas_cancel.xml" > "$WORK/uas_cancel2.xml"
start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_parallel.cfg"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_cancel.xml"
FIRST_UAS=$UAS_PID
start_named_uas uas2 5082 1 -sf "$WORK/uas_cancel2.xml"
SECOND_UAS=$UAS_PID
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_cancel_forked.xml" || fail "the UAC did not get 200 for its CANCEL and 487"
for pid in $FIRST_UAS $SECOND_UAS; do
    UAS_PID=$pid
    wait_uas || fail "a UAS did not get its CANCEL and the ACK of its 487"
done
sleep 3 # wt_timer is 1 s here; the margin is for a busy machine
stop_siphost

expect_log '<script>: request CANCEL' 1
expect_log '<script>: reply 180 on branch 0' 1
expect_log '<script>: reply 180 on branch 1' 1
expect_log '<script>: reply 487 on branch 0' 1
expect_log '<script>: reply 487 on branch 1' 1
expect_log 'counters:.* tm\.relayed_4xx=1( |$)' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
echo "PASS: tm parallel cancel"
