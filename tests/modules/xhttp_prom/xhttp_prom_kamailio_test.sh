#!/bin/sh
# Differential: the same script and the same sipp calls through Debian's Kamailio 5.6 (its xhttp_prom.so) and
# through siphost, then GET /metrics from both (compare_pages.py): the same metric names for sl's statistics,
# the same values for the script's counter and histogram, once timestamps and siphost's HELP/TYPE lines are
# set aside.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE=$(dirname "$0")
KAMAILIO=${KAMAILIO:-kamailio}
KMODS=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
command -v "$KAMAILIO" > /dev/null || fail "Kamailio ($KAMAILIO) is not installed: make deps installs it"
[ -f "$KMODS/xhttp_prom.so" ] || fail "$KMODS/xhttp_prom.so is missing"
CALLS=3

# write_cfg FILE SIP_PORT HTTP_PORT [kamailio]
write_cfg() {
    {
        if [ "${4:-}" = kamailio ]; then
            printf '#!KAMAILIO\nmpath="%s/"\nfork=yes\nchildren=1\ntcp_children=1\n' "$KMODS"
            echo 'loadmodule "pv.so"'
        fi
        cat <<CFG
debug=2
log_stderror=yes
tcp_accept_no_cl=yes
listen=udp:127.0.0.1:$2
listen=tcp:127.0.0.1:$3
loadmodule "sl.so"
loadmodule "xhttp.so"
loadmodule "xhttp_prom.so"
modparam("xhttp_prom", "xhttp_prom_stats", "sl:")
modparam("xhttp_prom", "prom_counter", "name=sip_requests; label=method")
modparam("xhttp_prom", "prom_gauge", "name=level; label=a:b")
modparam("xhttp_prom", "prom_histogram", "name=call_setup; buckets=0.1:0.5:1")
request_route {
    prom_counter_inc("sip_requests", "1", "\$rm");
    if (\$rm == "INVITE") {
        prom_histogram_observe("call_setup", "0.3");
        prom_gauge_set("level", "-2.5", "x", "y");
    }
    if (\$rm == "ACK")
        exit;
    sl_send_reply("200", "OK");
}
event_route[xhttp:request] {
    if (prom_check_uri())
        prom_dispatch();
    else
        xhttp_reply("404", "Not Found", "text/plain", "no");
}
CFG
    } > "$1"
}

write_cfg "$WORK/kamailio.cfg" 5062 5072 kamailio
write_cfg "$WORK/siphost.cfg" 5060 5096
"$KAMAILIO" -f "$WORK/kamailio.cfg" -P "$WORK/kamailio.pid" -Y "$WORK" -DD -E > "$WORK/kamailio.log" 2>&1 &
PIDS="$PIDS $!"
start_siphost "$WORK/siphost.cfg"
for _ in $(seq 1 100); do
    ss -Htln "sport = :5072" 2>/dev/null | grep -q . && break
    sleep 0.05
done
ss -Htln "sport = :5072" | grep -q . || fail "Kamailio did not start"
run_uac 127.0.0.1:5060 "$CALLS" -sn uac -d 10 || fail "sipp's calls through siphost failed"
run_uac 127.0.0.1:5062 "$CALLS" -sn uac -d 10 || fail "sipp's calls through Kamailio failed"
python3 "$HERE/compare_pages.py" 5072 5096 "$CALLS" > "$WORK/compare.log" 2>&1 || fail "the pages differ"
stop_siphost
cat "$WORK/compare.log"
echo "PASS: xhttp_prom against Kamailio"
