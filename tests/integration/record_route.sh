#!/bin/sh
# cfg/siphost.cfg: the INVITE is record-routed; the in-dialog ACK and BYE follow the route set (loose_route
# removes the proxy's own entry and the request goes to the UAS's Contact).
. "$(dirname "$0")/lib.sh"
S="$(dirname "$0")/scenarios"

start_siphost "$SOURCE_DIR/cfg/siphost.cfg"
start_uas 5080 1 -sf "$S/rr_uas.xml"
run_uac 127.0.0.1:5060 1 -sf "$S/rr_uac.xml" || fail "the UAC's call or checks failed"
wait_uas || fail "the UAS's checks failed"
echo "PASS: in-dialog requests follow the Record-Route"
