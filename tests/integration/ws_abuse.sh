#!/bin/sh
# Bad WebSocket input (ws_abuse.py on plain sockets): handshakes without the sip subprotocol, with version 8 or
# a bad key are refused (400, 426) and closed; an unmasked frame, a 1 TB length and an oversized ping close
# the connection with 1002 or 1009; garbage before the handshake is not upgraded, a frame sent before the 101
# closes the connection; pings get pongs, closes get closes, a fragmented REGISTER is served; ws.ping, ws.pong,
# ws.close and ws_close() send their frames. Meanwhile a sipp UAC keeps registering over UDP: every one of
# its REGISTERs is answered (measured).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ws_lib.sh"

ws_config "$WORK/ws.cfg"
start_siphost "$WORK/ws.cfg"

(cd "$WORK" && sipp -nostdin -i 127.0.0.1 -p 5090 -m 40 -r 10 -timeout 30s -timeout_error \
    -sf "$SOURCE_DIR/tests/integration/scenarios/register_uac.xml" 127.0.0.1:5060 > "$WORK/udp.log" 2>&1) &
UDP_PID=$!
PIDS="$PIDS $UDP_PID"

"$WS_PYTHON" "$SOURCE_DIR/tests/integration/ws_abuse.py" 8080 > "$WORK/abuse.log" 2>&1 ||
    fail "bad WebSocket input was not refused: $(cat "$WORK/abuse.log")"
ws_client refused ws://127.0.0.1:8080/ws
grep -q "^refused with 400" "$WORK/ws-client.log" ||
    fail "websockets without the sip subprotocol: $(cat "$WORK/ws-client.log")"
wait "$UDP_PID" || fail "UDP REGISTERs failed while WebSocket input was bad: $(tail -30 "$WORK/udp.log")"
grep -E "Successful call +\| +[0-9]+ +\| +40 " "$WORK/udp.log" > /dev/null ||
    fail "not all 40 UDP REGISTERs were answered: $(grep -E 'Successful|Failed' "$WORK/udp.log")"
expect_log "closing the WebSocket connection [0-9]+ from 127\.0\.0\.1:[0-9]+: an unmasked frame" 1
expect_log "refusing the WebSocket handshake from 127\.0\.0\.1 with 426" 1
stop_siphost
cat "$WORK/abuse.log"
echo "PASS: bad WebSocket input refused or closed, UDP answered throughout"
