#!/bin/sh
# SIP over secure WebSocket: the same calls as ws_call.sh over a TLS listener (tls module, certificates made
# here with openssl): the upgrade arrives over TLS, the connection becomes WSS, the INVITE to the registered
# client carries a WSS Via and the client's Record-Route names transport=wss.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
. "$(dirname "$0")/ws_lib.sh"

make_cert ca "Test CA"
make_cert server siphost.test ca
WS_TLS_MODULE="loadmodule \"tls.so\"
modparam(\"tls\", \"certificate\", \"$WORK/server.pem\")
modparam(\"tls\", \"private_key\", \"$WORK/server.key\")"
ws_config "$WORK/wss.cfg" "listen=tls:127.0.0.1:8443" "enable_tls=yes"
start_siphost "$WORK/wss.cfg"
grep -q "listening on tls:127.0.0.1:8443" "$WORK/siphost.log" || fail "siphost does not listen on TLS"

ws_client_bg alice answer wss://127.0.0.1:8443/ws alice --ca "$WORK/ca.pem"
wait_line "$WORK/alice.log" "^(registered|error)"
grep -q "^registered" "$WORK/alice.log" || fail "the WSS client did not register: $(cat "$WORK/alice.log")"
ws_rpc ws.dump
grep -q '"[0-9]*: wss:127.0.0.1:[0-9]* -> wss:127.0.0.1:8443 (state: OPEN' "$WORK/rpc.out" ||
    fail "ws.dump does not show the WSS connection: $(cat "$WORK/rpc.out")"
run_uac 127.0.0.1:5060 1 -sf "$SOURCE_DIR/tests/integration/ws_uac.xml" -s alice ||
    fail "the UDP call to the WSS client failed"
wait "$WS_CLIENT_PID" || fail "the WSS client did not complete the call: $(cat "$WORK/alice.log")"
grep -q "^invite via: SIP/2.0/WSS 127.0.0.1:8443;branch=" "$WORK/alice.log" ||
    fail "the INVITE to the WSS client lacks siphost's WSS Via: $(cat "$WORK/alice.log")"
expect_log "got REGISTER over wss/wss from 127\.0\.0\.1:[0-9]+" 1
expect_log "calling alice at sip:alice@127\.0\.0\.1:[0-9]+;transport=wss" 1
expect_log "HTTP /ws over tls/tls" 1

start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml"
ws_client call wss://127.0.0.1:8443/ws bob --ca "$WORK/ca.pem" ||
    fail "the WSS client's call to UDP failed: $(cat "$WORK/ws-client.log")"
wait_uas || fail "the UDP UAS did not complete the call from WSS"
grep -q -E "^200 record-route: <sip:127\.0\.0\.1:5060;r2=on;lr;ftag=[^>]*>, <sip:127\.0\.0\.1:8443;transport=wss;r2=on;lr" \
    "$WORK/ws-client.log" ||
    fail "the Record-Route does not name the WSS side: $(cat "$WORK/ws-client.log")"
expect_log "got (ACK|BYE) over wss/wss" 2
stop_siphost
echo "PASS: SIP over secure WebSocket both ways with UDP"
