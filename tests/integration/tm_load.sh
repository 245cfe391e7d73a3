#!/bin/sh
# The seed's stateful config under load: 2000 calls at 200 calls per second through two workers, sipp's
# stock UAC and UAS. No call fails, every transaction (INVITE and BYE of each call) was created, and none is
# left once wt_timer has passed.
. "$(dirname "$0")/lib.sh"

calls=2000
start_siphost "$SOURCE_DIR/cfg/seed-stateful.cfg"
start_uas 5080 "$calls" -sn uas
run_uac 127.0.0.1:5060 "$calls" -sn uac -r 200 || fail "calls failed under load"
wait_uas || fail "the UAS did not complete every call"
sleep 7 # wt_timer
stop_siphost

grep -q "Successful call.*| *$calls *$" "$WORK/uac.log" || fail "the UAC did not count $calls successful calls"
expect_log 'counters:.* tm\.created=4000( |$)' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
expect_log '<script>: for INVITE the value of AVP "state_test_var" is I remember' "$calls"
expect_log '<script>: for 200 response the value of AVP "state_test_var" is I remember' "$calls"
expect_log '<script>: for BYE the value of AVP "state_test_var" is <null>' "$calls"
echo "PASS: tm load"
