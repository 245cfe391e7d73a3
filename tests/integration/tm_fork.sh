#!/bin/sh
# Serial forking: failure_route adds a branch after the first UAS's 486; the second UAS answers 603; both get
# siphost's hop-by-hop ACK (their scenarios check it), the UAC gets the 603, and each failure_route saw its
# branch's reply through tmx.
. "$(dirname "$0")/lib.sh"

sed 's/CODE_HERE/603/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_603.xml"
sed 's/486 Busy Here/603 Decline/; s/SIPpTag01/SIPpTag02/' "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml" \
    > "$WORK/uas_603.xml"
start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_fork.cfg"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml"
FIRST_UAS=$UAS_PID
start_named_uas uas2 5082 1 -sf "$WORK/uas_603.xml"
SECOND_UAS=$UAS_PID
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_603.xml" || fail "the UAC did not get 603"
UAS_PID=$FIRST_UAS
wait_uas || fail "the first UAS did not get its ACK"
UAS_PID=$SECOND_UAS
wait_uas || fail "the second UAS did not get its ACK"
sleep 3 # wt_timer is 1 s here; the margin is for a busy machine
stop_siphost

expect_log '<script>: request INVITE' 1
expect_log '<script>: NEXT sees 486 on branch 1, To-tag [0-9]+SIPpTag01' 1
expect_log '<script>: relayed to the second UAS' 1
expect_log '<script>: LAST sees 603 on branch 2, request INVITE' 1
expect_log '<script>: request ACK' 1 # as in Kamailio: the script sees it, t_relay()/t_check_trans() take it
expect_log 'counters:.* tm\.relayed_6xx=1( |$)' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
echo "PASS: tm fork"
