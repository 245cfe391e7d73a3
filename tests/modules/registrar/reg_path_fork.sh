#!/bin/sh
# Path and forking (RFC 3327): carol registers two contacts through two edge proxies, each REGISTER with its
# own Path. An INVITE to carol forks to both: the q=1 contact in the Request-URI (its Path the path vector) and
# the q=0.5 one as a branch (tm turns the branch's path into Route headers). Each edge (a sipp UAS on the
# Path's port) gets its own contact and its own Route first, and rejects; the caller gets 486.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
S="$SOURCE_DIR/tests/integration/scenarios"

start_siphost "$REG_DIR/cfg/registrar.cfg"
expect_request "carol registers through the first edge" 5071 REGISTER carol c-carol-1 1 200 \
    'Contact: <sip:carol@10.0.0.1:5060>;q=1.0
Path: <sip:127.0.0.1:5090;lr>
Supported: path
Expires: 600' '+Path: <sip:127\.0\.0\.1:5090;lr>'
expect_request "carol registers through the second edge" 5071 REGISTER carol c-carol-2 1 200 \
    'Contact: <sip:carol@10.0.0.2:5060>;q=0.5
Path: <sip:127.0.0.1:5091;lr>
Supported: path
Expires: 600' '+Path: <sip:127\.0\.0\.1:5091;lr>' '+sip:carol@10\.0\.0\.1:5060>;expires=' \
    '+sip:carol@10\.0\.0\.2:5060>;expires='

# Each edge gets its own Path as Route and no trace of the other's: the first contact's Path is the path
# vector of the Request-URI's branch, written only into the request of that branch (as Kamailio does).
sed 's/CONTACT_HOST/10\\.0\\.0\\.1/; s/MY_PORT/5090/; s/FORBIDDEN/127\\.0\\.0\\.1:5091/' \
    "$REG_DIR/scenarios/path_edge_uas.xml" > "$WORK/edge1.xml"
sed 's/CONTACT_HOST/10\\.0\\.0\\.2/; s/MY_PORT/5091/; s/FORBIDDEN/127\\.0\\.0\\.1:5090/' \
    "$REG_DIR/scenarios/path_edge_uas.xml" | sed 's/edge\[call/edge2[call/' > "$WORK/edge2.xml"
start_named_uas edge1 5090 1 -sf "$WORK/edge1.xml"
EDGE1=$UAS_PID
start_named_uas edge2 5091 1 -sf "$WORK/edge2.xml"
EDGE2=$UAS_PID
sed 's/CODE_HERE/486/' "$S/tm_uac_negative.xml" > "$WORK/uac_486.xml"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_486.xml" -s carol || fail "the caller did not get the 486"
UAS_PID=$EDGE1; wait_uas || fail "the first edge did not get the INVITE with its own Route: $(cat "$WORK/edge1-errors.log" 2>/dev/null | tail -5)"
UAS_PID=$EDGE2; wait_uas || fail "the second edge did not get the INVITE with its own Route: $(cat "$WORK/edge2-errors.log" 2>/dev/null | tail -5)"
stop_siphost
expect_log '<script>: branch 0 to sip:carol@10\.0\.0\.1:5060 via sip:127\.0\.0\.1:5090;lr' 1
expect_log '<script>: branch 1 to sip:carol@10\.0\.0\.2:5060 via sip:127\.0\.0\.1:5091;lr' 1
echo "PASS: each branch carries its own Path as Route"
