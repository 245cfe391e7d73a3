#!/bin/sh
# Calls by AOR: alice calls bob, registered from a sipp UA, and the call goes through; carol is registered
# behind an edge proxy (Path): the INVITE goes to that proxy with the Path as Route.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
S="$SOURCE_DIR/tests/integration/scenarios"

start_siphost "$REG_DIR/cfg/registrar.cfg"
expect_request "bob registers" 5071 REGISTER bob c-bob 1 200 'Contact: <sip:bob@127.0.0.1:5080>
Expires: 600' '+sip:bob@127\.0\.0\.1:5080>;expires='
expect_request "carol registers behind an edge proxy" 5071 REGISTER carol c-carol 1 200 'Contact: <sip:carol@10.0.0.1:5060>
Path: <sip:127.0.0.1:5090;lr>
Supported: path
Expires: 600' '+Path: <sip:127\.0\.0\.1:5090;lr>'

start_uas 5080 1 -sf "$S/tm_uas.xml"
run_uac 127.0.0.1:5060 1 -sf "$REG_DIR/scenarios/call_uac.xml" -s bob || fail "the call to bob's AOR failed"
wait_uas || fail "bob's UA did not complete the call"

start_named_uas edge 5090 1 -sf "$REG_DIR/scenarios/path_uas.xml"
sed 's/CODE_HERE/486/' "$S/tm_uac_negative.xml" > "$WORK/uac_486.xml"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_486.xml" -s carol || fail "the call to carol did not get the edge's 486"
wait_uas || fail "the edge proxy did not get the INVITE with the Path as Route"

sed 's/CODE_HERE/404/' "$S/tm_uac_negative.xml" > "$WORK/uac_404.xml"
# dora's phone is behind NAT: the INVITE goes to the address her REGISTER came from (received_avp), not to
# her private Contact.
expect_request "dora registers from behind NAT" 5073 REGISTER dora c-dora 1 200 'Contact: <sip:dora@192.168.1.2:5060>
X-Nat: yes
Expires: 600' '+sip:dora@192\.168\.1\.2:5060>;expires=[0-9]+;received="sip:127\.0\.0\.1:5073"'
start_named_uas dora 5073 1 -sf "$S/tm_uas.xml"
run_uac 127.0.0.1:5060 1 -sf "$REG_DIR/scenarios/call_uac.xml" -s dora || fail "the call to dora behind NAT failed"
wait_uas || fail "dora's UA did not complete the call"

run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_404.xml" -s nobody || fail "a call to an unregistered AOR did not get 404"
sleep 2
stop_siphost
expect_log '<script>: lookup 1 for sip:bob@127\.0\.0\.1:5080' 1
expect_log '<script>: branch 0 to sip:bob@127\.0\.0\.1:5080 via <null>' 1
expect_log '<script>: branch 0 to sip:carol@10\.0\.0\.1:5060 via sip:127\.0\.0\.1:5090;lr' 1
expect_log '<script>: branch 0 to sip:dora@192\.168\.1\.2:5060 via sip:127\.0\.0\.1:5073' 1
expect_log '<script>: lookup -1 for sip:nobody@127\.0\.0\.1' 1
echo "PASS: calls by AOR"
