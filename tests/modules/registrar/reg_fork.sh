#!/bin/sh
# Forking by q: bob has two contacts; lookup() puts the better (q=1, 5082) into the Request-URI and the other
# (q=0.5, 5084) into a branch; tm forks to both. The first UA rejects with 486, the second answers, and the
# caller gets the 200. Then both reject: failure_route sees the 486.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
S="$SOURCE_DIR/tests/integration/scenarios"

start_siphost "$REG_DIR/cfg/registrar.cfg"
expect_request "bob registers two contacts" 5071 REGISTER bob c-bob 1 200 \
    'Contact: <sip:bob@127.0.0.1:5084>;q=0.5, <sip:bob@127.0.0.1:5082>;q=1.0
Expires: 600' '+Contact: <sip:bob@127\.0\.0\.1:5082>;expires=[0-9]+;q=1' \
    '+Contact: <sip:bob@127\.0\.0\.1:5084>;expires=[0-9]+;q=0\.5'

# The answering UA waits a second before its 200, so that the busy one has answered 486 by then even on a
# loaded machine (a 200 first would make tm CANCEL the busy UA's branch, which its scenario does not expect).
sed 's|<send retrans="500">|<pause milliseconds="1000"/>\n  <send retrans="500">|' "$S/tm_uas.xml" > "$WORK/uas_late.xml"
start_named_uas busy 5082 1 -sf "$S/tm_uas_busy.xml"
BUSY=$UAS_PID
start_named_uas answer 5084 1 -sf "$WORK/uas_late.xml"
ANSWER=$UAS_PID
run_uac 127.0.0.1:5060 1 -sf "$REG_DIR/scenarios/call_uac.xml" -s bob || fail "the forked call did not get the 200"
UAS_PID=$BUSY; wait_uas || fail "the q=1 UA did not get the INVITE and the ACK of its 486"
UAS_PID=$ANSWER; wait_uas || fail "the q=0.5 UA did not complete the call"

sed 's/SIPpTag01/SIPpTag02/' "$S/tm_uas_busy.xml" > "$WORK/busy2.xml"
start_named_uas busy1 5082 1 -sf "$S/tm_uas_busy.xml"
BUSY=$UAS_PID
start_named_uas busy2 5084 1 -sf "$WORK/busy2.xml"
BUSY2=$UAS_PID
sed 's/CODE_HERE/486/' "$S/tm_uac_negative.xml" > "$WORK/uac_486.xml"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_486.xml" -s bob || fail "the caller did not get the 486 when both reject"
UAS_PID=$BUSY; wait_uas || fail "the first UA did not get its ACK"
UAS_PID=$BUSY2; wait_uas || fail "the second UA did not get its ACK"
sleep 2
stop_siphost
expect_log '<script>: branch 0 to sip:bob@127\.0\.0\.1:5082 ' 2
expect_log '<script>: branch 1 to sip:bob@127\.0\.0\.1:5084 ' 2
expect_log '<script>: failed with 486' 1
expect_log 'counters:.* tm\.relayed_2xx=2 tm\.relayed_3xx=0 tm\.relayed_4xx=1( |$)' 1
echo "PASS: forking by q"
