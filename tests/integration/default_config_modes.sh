#!/bin/sh
# The same cfg/siphost.cfg runs stateless without WITH_TM (sl + forward(): no tm counters, no 100 from the
# proxy) and transaction-stateful with -A WITH_TM (tm + t_relay(): tm creates the transactions and they are
# gone after wt_timer).
. "$(dirname "$0")/lib.sh"

start_siphost "$SOURCE_DIR/cfg/siphost.cfg"
start_uas 5080 1 -sn uas
run_uac 127.0.0.1:5060 1 -sn uac || fail "the stateless call failed"
wait_uas || fail "the UAS did not complete the stateless call"
stop_siphost
grep -q "tm\.created" "$WORK/siphost.log" && fail "tm is loaded without WITH_TM"

start_siphost "$SOURCE_DIR/cfg/siphost.cfg" -A WITH_TM
start_uas 5080 1 -sn uas
run_uac 127.0.0.1:5060 1 -sn uac || fail "the stateful call failed"
wait_uas || fail "the UAS did not complete the stateful call"
sleep 7 # wt_timer (5 s) ends the last transaction
stop_siphost
# INVITE and BYE make two transactions (the ACK of a 2xx has none).
expect_log 'counters: .*tm\.created=2 .*' 1
expect_log 'counters: .*tm\.active=0( |$)' 1
echo "PASS: cfg/siphost.cfg is stateless without WITH_TM and stateful with it"
