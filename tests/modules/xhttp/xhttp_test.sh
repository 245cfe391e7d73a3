#!/bin/sh
# xhttp and jsonrpc_dispatch in the real host: HTTP requests on the SIP TCP listener run
# event_route[xhttp:request]; SIP on the same listener still reaches request_route (xhttp_client.py).
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE=$(dirname "$0")
PORT=5094

cat > "$WORK/xhttp.cfg" <<CFG
debug=2
log_stderror=yes
children=2
listen=tcp:127.0.0.1:$PORT
loadmodule "sl.so"
loadmodule "corex.so"
loadmodule "xhttp.so"
loadmodule "jsonrpcs.so"
modparam("jsonrpcs", "transport", 1)
modparam("jsonrpcs", "pretty_format", 0)
modparam("xhttp", "url_skip", "^/skipped")
request_route {
    sl_send_reply("404", "SIP request_route");
}
event_route[xhttp:request] {
    if (\$hu =~ "^/RPC") {
        jsonrpc_dispatch();
        exit;
    }
    if (\$hu =~ "^/silent")
        exit;
    xhttp_reply("200", "OK", "text/plain", "url=\$hu method=\$rm agent=\$hdr(User-Agent)");
}
CFG

start_siphost "$WORK/xhttp.cfg"
python3 "$HERE/xhttp_client.py" "$PORT" > "$WORK/client.log" 2>&1 || fail "xhttp_client.py failed"
grep -q "sent no reply to /silent" "$WORK/siphost.log" || fail "the unanswered request was not logged"
stop_siphost
echo "PASS: xhttp"
