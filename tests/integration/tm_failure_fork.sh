#!/bin/sh
# Parallel forking from failure_route: the first UAS (5080) is busy; failure_route appends two targets and
# relays to both at once (5082 busy, 5084 declines). The UAC gets the 603 (a 6xx beats a 4xx), every UAS gets
# siphost's hop-by-hop ACK (their scenarios check it), and no branch goes to the Request-URI again.
. "$(dirname "$0")/lib.sh"

sed 's/CODE_HERE/603/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_603.xml"
sed 's/SIPpTag01/SIPpTag02/' "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml" > "$WORK/uas_busy2.xml"
# The third UAS declines half a second after ringing: the second one's 486 comes first. (A 6xx before it would
# make tm CANCEL the second branch, and that UAS's scenario does not expect a CANCEL.)
sed 's/486 Busy Here/603 Decline/; s/SIPpTag01/SIPpTag03/; s|<send retrans="500">|<pause milliseconds="500"/>\n  <send retrans="500">|' \
    "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml" > "$WORK/uas_603.xml"
start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_failure_fork.cfg"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml"
FIRST_UAS=$UAS_PID
start_named_uas uas2 5082 1 -sf "$WORK/uas_busy2.xml"
SECOND_UAS=$UAS_PID
start_named_uas uas3 5084 1 -sf "$WORK/uas_603.xml"
THIRD_UAS=$UAS_PID
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_603.xml" || fail "the UAC did not get 603"
for pid in $FIRST_UAS $SECOND_UAS $THIRD_UAS; do
    UAS_PID=$pid
    wait_uas || fail "a UAS did not get its INVITE and its ACK"
done
sleep 3 # wt_timer is 1 s here; the margin is for a busy machine
stop_siphost

expect_log '<script>: request INVITE' 1
expect_log '<script>: FORK sees 486 on branch 1' 1
expect_log '<script>: branch 1 to sip:second@127\.0\.0\.1:5082' 1
expect_log '<script>: branch 2 to sip:third@127\.0\.0\.1:5084' 1
expect_log '<script>: branch [03] to' 0
expect_log '<script>: LAST sees 603 on branch 3' 1
expect_log 'counters:.* tm\.relayed_6xx=1( |$)' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
echo "PASS: tm failure fork"
