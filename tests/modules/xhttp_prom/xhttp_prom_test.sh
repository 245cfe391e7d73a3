#!/bin/sh
# xhttp_prom in the real host: sipp calls answered by sl and tm, the script's prom_* calls, then GET /metrics
# on the SIP TCP listener, read by a strict parser of the text format (prom_client.py); the RPCs through
# jsonrpcs over HTTP.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE=$(dirname "$0")
PORT=5095
CALLS=5

cat > "$WORK/prom.cfg" <<CFG
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:5060
listen=tcp:127.0.0.1:$PORT
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "xhttp.so"
loadmodule "jsonrpcs.so"
loadmodule "xhttp_prom.so"
modparam("jsonrpcs", "transport", 1)
modparam("jsonrpcs", "pretty_format", 0)
modparam("xhttp_prom", "xhttp_prom_stats", "all")
modparam("xhttp_prom", "prom_counter", "name=sip_requests; label=method")
modparam("xhttp_prom", "prom_counter", "name=bumps; label=who")
modparam("xhttp_prom", "prom_counter", "name=by_rpc; label=a:b")
modparam("xhttp_prom", "prom_gauge", "name=temperature")
modparam("xhttp_prom", "prom_histogram", "name=call_setup; buckets=0.1:0.5:1")
request_route {
    prom_counter_inc("sip_requests", "1", "\$rm");
    if (\$rm == "INVITE") {
        prom_histogram_observe("call_setup", "0.3");
        sl_send_reply("200", "OK");
        exit;
    }
    if (\$rm == "BYE") {
        t_newtran();
        t_reply("200", "OK");
        exit;
    }
}
event_route[xhttp:request] {
    if (\$hu =~ "^/RPC") {
        jsonrpc_dispatch();
        exit;
    }
    if (\$hu =~ "^/bump") {
        prom_counter_inc("bumps", "2", "\$hdr(X-Who)");
        prom_gauge_set("temperature", "-2.5");
        prom_histogram_observe("call_setup", "0.7");
        xhttp_reply("200", "OK", "text/plain", "bumped");
        exit;
    }
    if (prom_check_uri()) {
        prom_dispatch();
        exit;
    }
    xhttp_reply("404", "Not Found", "text/plain", "no metrics at \$hu");
}
CFG

start_siphost "$WORK/prom.cfg"
run_uac 127.0.0.1:5060 "$CALLS" -sn uac -d 10 || fail "sipp's calls failed"
python3 "$HERE/prom_client.py" "$PORT" "$CALLS" > "$WORK/client.log" 2>&1 || fail "prom_client.py failed"
stop_siphost
cat "$WORK/client.log"
echo "PASS: xhttp_prom"
