# WebSocket helpers over lib.sh (source lib.sh first): the Python WebSocket client (ws_client.py, on Debian's
# python3-websockets) and a proxy config that registers and relays over WS, WSS and UDP.

WS_CLIENT="$SOURCE_DIR/tests/integration/ws_client.py"
# Debian's interpreter sees python3-websockets; a python3 earlier on PATH (pyenv) may not.
if [ -x /usr/bin/python3 ]; then WS_PYTHON=/usr/bin/python3; else WS_PYTHON=python3; fi
"$WS_PYTHON" -c "import websockets" 2>/dev/null ||
    fail "$WS_PYTHON cannot import websockets: install Debian's python3-websockets"

# ws_client MODE URI NAME [args...]: the client in the foreground, output in $WORK/ws-client.log.
ws_client() {
    "$WS_PYTHON" "$WS_CLIENT" "$@" > "$WORK/ws-client.log" 2>&1
}

# ws_client_bg NAME MODE URI USER [args...]: in the background, output in $WORK/NAME.log; WS_CLIENT_PID.
ws_client_bg() {
    name=$1; shift
    "$WS_PYTHON" "$WS_CLIENT" "$@" > "$WORK/$name.log" 2>&1 &
    WS_CLIENT_PID=$!
    PIDS="$PIDS $WS_CLIENT_PID"
}

# wait_line FILE PATTERN: returns when FILE has a line matching PATTERN; fails after 10 s.
wait_line() {
    for _ in $(seq 1 200); do
        grep -q -E "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "no line matching '$2' in $1"
}

# ws_rpc METHOD [PARAM]: a JSON-RPC command over HTTP on the WS listener (jsonrpcs), answer in $WORK/rpc.out.
ws_rpc() {
    "$WS_PYTHON" - "$@" > "$WORK/rpc.out" 2>&1 <<'PY'
import json, sys, urllib.request
params = [int(p) if p.isdigit() else p for p in sys.argv[2:]]
body = json.dumps({"jsonrpc": "2.0", "method": sys.argv[1], "params": params, "id": 1}).encode()
request = urllib.request.Request("http://127.0.0.1:8080/RPC", body, {"Content-Type": "application/json"})
print(urllib.request.urlopen(request, timeout=5).read().decode())
PY
}

# ws_config FILE [extra global lines]: the proxy. UDP 5060, WS on tcp:8080, and the extra lines (WSS).
ws_config() {
    file=$1; shift
    {
        cat <<'CFG'
debug=3
log_stderror=yes
fork=no
children=2
listen=udp:127.0.0.1:5060
listen=tcp:127.0.0.1:8080
CFG
        for line in "$@"; do echo "$line"; done
        cat <<'CFG'

loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
loadmodule "jsonrpcs.so"
modparam("jsonrpcs", "transport", 1)
modparam("jsonrpcs", "pretty_format", 0)
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("websocket", "keepalive_timeout", 2)
modparam("websocket", "ping_application_data", "are you there")
CFG
        [ -n "${WS_TLS_MODULE:-}" ] && printf '%s\n' "$WS_TLS_MODULE"
        cat <<'CFG'

request_route {
    xlog("L_NOTICE", "got $rm over $pr/$proto from $si:$sp\n");
    if (nat_uac_test(64)) {
        # From a WebSocket client, as Kamailio's websocket README routes it (browsers' Contacts are .invalid).
        force_rport();
        if (is_method("REGISTER")) {
            fix_nated_register();
        } else if (!add_contact_alias()) {
            sl_send_reply("400", "Bad Request");
            exit;
        }
    }
    if (!is_method("REGISTER")) {
        t_on_reply("WS_REPLY");
    }
    if (is_method("REGISTER")) {
        if (!save("location")) {
            sl_reply_error();
        }
        exit;
    }
    if (is_method("MESSAGE") && $pr == "ws") {
        ws_close(4000, "Because I say so");
        exit;
    }
    if (has_totag()) {
        if (loose_route()) {
            if ($du == $null) {
                handle_ruri_alias();
            }
            xlog("L_NOTICE", "in-dialog $rm to $ru du=$du\n");
            t_relay();
            exit;
        }
        if (is_method("ACK") && t_check_trans()) {
            t_relay();
            exit;
        }
        sl_send_reply("404", "Not here");
        exit;
    }
    if (is_method("INVITE")) {
        record_route();
    }
    if ($rU == "bob") {
        $du = "sip:127.0.0.1:5080";
        t_relay();
        exit;
    }
    if (!lookup("location")) {
        sl_send_reply("404", "Not Found");
        exit;
    }
    xlog("L_NOTICE", "calling $rU at $ru\n");
    t_relay();
}

onreply_route[WS_REPLY] {
    if (nat_uac_test(64)) {
        add_contact_alias();
    }
}

event_route[xhttp:request] {
    if ($hu =~ "^/RPC") {
        jsonrpc_dispatch();
        exit;
    }
    xlog("L_NOTICE", "HTTP $hu over $pr/$proto\n");
    if ($hu =~ "^/ws") {
        if (ws_handle_handshake()) {
            exit;
        }
    }
    xhttp_reply("404", "Not found", "", "");
}
CFG
    } > "$file"
}
