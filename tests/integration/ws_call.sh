#!/bin/sh
# SIP over WebSocket (RFC 7118) through siphost as a registrar and stateful proxy: a WebSocket client (Debian's
# python3-websockets) registers over WS, a sipp UAC over UDP calls it (the INVITE reaches it over its
# WebSocket connection with a WS Via, the call completes both ways along the Record-Route), then the client
# calls a sipp UAS over UDP; ws.dump shows the connection meanwhile; keepalive pings go to idle connections.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ws_lib.sh"
S="$SOURCE_DIR/tests/integration/scenarios"

ws_config "$WORK/ws.cfg"
start_siphost "$WORK/ws.cfg"

# UDP caller -> WS-registered callee.
ws_client_bg alice answer ws://127.0.0.1:8080/ws alice
wait_line "$WORK/alice.log" "^(registered|error)"
grep -q "^registered" "$WORK/alice.log" || fail "the WS client did not register: $(cat "$WORK/alice.log")"
ws_rpc ws.dump
grep -q '"connections":\["[0-9]*: ws:127.0.0.1:[0-9]* -> ws:127.0.0.1:8080 (state: OPEN, last used [0-9]*s ago, sub-protocol: sip)"\]' "$WORK/rpc.out" ||
    fail "ws.dump does not show the connection: $(cat "$WORK/rpc.out")"
grep -q '"info":{"wscounter":1,"truncated":"no"}' "$WORK/rpc.out" || fail "ws.dump info: $(cat "$WORK/rpc.out")"
run_uac 127.0.0.1:5060 1 -sf "$SOURCE_DIR/tests/integration/ws_uac.xml" -s alice || fail "the UDP call to the WS client failed"
wait "$WS_CLIENT_PID" || fail "the WS client did not complete the call: $(cat "$WORK/alice.log")"
grep -q "^invite via: SIP/2.0/WS 127.0.0.1:8080;branch=" "$WORK/alice.log" ||
    fail "the INVITE to the WS client lacks siphost's WS Via: $(cat "$WORK/alice.log")"
grep -q "^call done" "$WORK/alice.log" || fail "the WS client's call: $(cat "$WORK/alice.log")"
expect_log "got REGISTER over ws/ws from 127\.0\.0\.1:[0-9]+" 1
expect_log "calling alice at sip:alice@127\.0\.0\.1:[0-9]+;transport=ws" 1
expect_log "in-dialog (ACK|BYE) to sip:alice@127\.0\.0\.1:[0-9]+;transport=ws du=<null>" 2

# A browser-like client (Contact on an .invalid host): the registrar keeps the address it registered from
# (fix_nated_register), the call reaches it over its connection, and the in-dialog requests follow the alias.
ws_client_bg erin answer ws://127.0.0.1:8080/ws erin --invalid-contact
wait_line "$WORK/erin.log" "^(registered|error)"
grep -q "^registered" "$WORK/erin.log" || fail "the browser-like client did not register: $(cat "$WORK/erin.log")"
run_uac 127.0.0.1:5060 1 -sf "$SOURCE_DIR/tests/integration/ws_uac.xml" -s erin ||
    fail "the UDP call to the browser-like WS client failed"
wait "$WS_CLIENT_PID" || fail "the browser-like client did not complete the call: $(cat "$WORK/erin.log")"
expect_log "calling erin at sip:erin@df7jal23ls0d\.invalid;transport=ws" 1
expect_log "in-dialog (ACK|BYE) to sip:erin@df7jal23ls0d\.invalid;transport=ws du=sip:127\.0\.0\.1:[0-9]+;transport=ws" 2

# WS caller -> UDP callee, record-routed on both sides, with transport=ws on the WebSocket side.
start_uas 5080 1 -sf "$S/tm_uas.xml"
ws_client call ws://127.0.0.1:8080/ws bob || fail "the WS client's call to UDP failed: $(cat "$WORK/ws-client.log")"
wait_uas || fail "the UDP UAS did not complete the call from WS"
# Two Record-Routes (rr's enable_double_rr; the UAS copies them onto one line): the UDP side siphost sent the
# INVITE from, then the WS side it came to.
grep -q -E "^200 record-route: <sip:127\.0\.0\.1:5060;r2=on;lr;ftag=[^>]*>, <sip:127\.0\.0\.1:8080;transport=ws;r2=on;lr" \
    "$WORK/ws-client.log" ||
    fail "the Record-Routes do not name the UDP side, then the WS side: $(cat "$WORK/ws-client.log")"
expect_log "got INVITE over ws/ws" 1
expect_log "got (ACK|BYE) over ws/ws" 2

# Keepalive: an idle client is pinged (keepalive_timeout 2 s) and websockets answers with a pong.
ws_client_bg idle answer ws://127.0.0.1:8080/ws carol --timeout 8
wait_line "$WORK/idle.log" "^(registered|error)"
sleep 3.5
ws_rpc ws.dump used_asc
grep -q 'last used [0-2]s ago' "$WORK/rpc.out" || fail "the pong did not refresh the idle connection: $(cat "$WORK/rpc.out")"
ws_rpc ws.ping 999999
grep -q "Unknown connection ID" "$WORK/rpc.out" || fail "ws.ping of no connection: $(cat "$WORK/rpc.out")"
stop_siphost
echo "PASS: SIP over WebSocket both ways with UDP"
