#!/bin/sh
# The UAS rings and never answers: after fr_inv_timer (2 s, from t_set_fr; the modparam says 20) siphost cancels the branch, failure_route
# sees 408, the UAC gets 408 and ACKs it; the UAS's 487 to the CANCEL is ACKed by siphost.
. "$(dirname "$0")/lib.sh"

sed 's/CODE_HERE/408/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_408.xml"
start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_failure.cfg"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_cancel.xml"
started=$(date +%s%N)
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_408.xml" || fail "the UAC did not get 408"
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
[ "$elapsed_ms" -ge 1900 ] || fail "the 408 came after $elapsed_ms ms, before fr_inv_timer"
[ "$elapsed_ms" -le 4000 ] || fail "the 408 came after $elapsed_ms ms, long after fr_inv_timer"
wait_uas || fail "the UAS was not cancelled, or its 487 not ACKed"
sleep 3 # timers of 1 s here; the margin is for a busy machine
stop_siphost

expect_log '<script>: failure_route T_reply_code=408 avp=kept branch=1' 1
expect_log '<script>: failure_route matched 408' 1
expect_log '<script>: failure_route branch timed out' 1
expect_log '<script>: failure_route branch replied' 1 # the 180 counts
expect_log '<script>: failure_route canceled' 0
# fr_inv_timer ran failure_route on the timer thread: the INVITE's prefix stands as on a worker.
expect_log '\{1 1 INVITE [^ }]+\} <script>: failure_route T_reply_code=408' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
echo "PASS: tm timeout"
