#!/bin/sh
# event_route[websocket:closed] (websocket module): it runs once for each WebSocket connection that closes, with
# $ws_conid the connection's id (the one ws.dump shows) and $si:$sp the client's address; here once for a client
# that closes its connection and once for a connection the server closes (RPC ws.close). The HTTP connections of
# the RPCs close too, and raise no event. Then siphost stops with a connection open, and stops cleanly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ws_lib.sh"

ws_config "$WORK/ws.cfg"
cat >> "$WORK/ws.cfg" <<'CFG'

event_route[websocket:closed] {
    xlog("L_NOTICE", "websocket closed: ws_conid=$ws_conid from $si:$sp over $pr conid=$conid\n");
}
CFG
start_siphost "$WORK/ws.cfg"

# hold_client NAME [args]: a client that sent an OPTIONS and holds its connection; sets PORT (its source port)
# and ID (the connection's id in ws.dump).
hold_client() {
    name=$1; shift
    ws_client_bg "$name" hold ws://127.0.0.1:8080/ws "$@"
    wait_line "$WORK/$name.log" "^(local|error)"
    PORT=$(sed -n 's/^local 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/$name.log")
    [ -n "$PORT" ] || fail "the $name client did not connect: $(cat "$WORK/$name.log")"
    ws_rpc ws.dump
    ID=$(sed -n 's/.*"\([0-9][0-9]*\): ws:127\.0\.0\.1:'"$PORT"' -> ws:127\.0\.0\.1:8080 .*/\1/p' "$WORK/rpc.out")
    [ -n "$ID" ] || fail "ws.dump does not show the $name client's connection from port $PORT: $(cat "$WORK/rpc.out")"
}

# 1. The client closes its connection.
hold_client first --go "$WORK/go-first"
first_id=$ID first_port=$PORT
touch "$WORK/go-first"
wait "$WS_CLIENT_PID" || fail "the first client: $(cat "$WORK/first.log")"
wait_line "$WORK/siphost.log" "websocket closed: ws_conid=$first_id "
expect_log "websocket closed: ws_conid=$first_id from 127\.0\.0\.1:$first_port over ws conid=$first_id\$" 1

# 2. The server closes it: ws.close.
hold_client second --server-closes
[ "$ID" != "$first_id" ] || fail "the second connection has the first one's id $ID"
ws_rpc ws.close "$ID"
wait "$WS_CLIENT_PID" || fail "the second client: $(cat "$WORK/second.log")"
grep -q "^closed by the server: 1000" "$WORK/second.log" ||
    fail "the second client saw no close frame 1000: $(cat "$WORK/second.log")"
wait_line "$WORK/siphost.log" "websocket closed: ws_conid=$ID "
expect_log "websocket closed: ws_conid=$ID from 127\.0\.0\.1:$PORT over ws conid=$ID\$" 1
expect_log "websocket closed:" 2

# 3. siphost stops with a WebSocket connection open: it closes it and stops cleanly (the route may run or not).
hold_client third --server-closes
stop_siphost
wait "$WS_CLIENT_PID" || fail "the third client: $(cat "$WORK/third.log")"
echo "PASS: event_route[websocket:closed] with \$ws_conid, for a client's close and for ws.close"
