#!/bin/sh
# The seed's stateless config under load: 2000 calls at 200 per second through children=2, none failed.
# (Kamailio 5.6 fails some single calls here, relaying a 180 and a 200 sent back to back out of order;
# siphost keeps one peer's messages on one worker, in order.)
. "$(dirname "$0")/lib.sh"

start_siphost "$SOURCE_DIR/cfg/seed-stateless.cfg" -n 2
start_uas 5080 2000 -sn uas
run_uac 127.0.0.1:5060 2000 -sn uac -r 200 -l 400 || fail "some calls failed"
grep -q "2000 calls" "$WORK/uac.log" 2>/dev/null || true
wait_uas || fail "the UAS did not complete every call"
stop_siphost
expect_log 'for INVITE the value of AVP "state_test_var" is I remember' 2000
expect_log 'for BYE the value of AVP "state_test_var" is <null>' 2000
echo "PASS: 2000 calls at 200 cps"
