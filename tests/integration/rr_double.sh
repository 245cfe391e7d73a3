#!/bin/sh
# rr's enable_double_rr (default 1, as Kamailio): a UDP caller's INVITE leaves for a TCP callee, so
# record_route() writes two Record-Routes, the outgoing TCP socket's on top of the arrival UDP socket's, each
# with ;r2=on; loose_route() takes both of the proxy's Route entries off the in-dialog requests, which cross
# the transport change both ways (the caller hangs up, then the callee). Kamailio 5.6 (Debian's) runs the same
# config and calls: the same Record-Routes (but for the port 5060, which Kamailio leaves out) and the same
# in-dialog routing. With enable_double_rr=0 there is one Record-Route, the arrival socket's. (UDP in and out,
# one Record-Route: record_route.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tcp_lib.sh"
S="$SOURCE_DIR/tests/integration/scenarios"

# proxy_config FILE [more global lines]
proxy_config() {
    cat > "$1" <<CFG
debug=3
log_stderror=yes
fork=no
children=2
listen=udp:127.0.0.1:5060
listen=tcp:127.0.0.1:5060
${2:-}

loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "siputils.so"
loadmodule "textops.so"
${3:-}

request_route {
    if (has_totag()) {
        if (loose_route()) {
            xlog("L_NOTICE", "in-dialog \$rm over \$pr to \$ru du=\$du\n");
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
    t_relay_to_tcp("127.0.0.1", "5080");
}
CFG
}

# invite_record_routes FILE: the Record-Route lines of the first INVITE in a sipp message trace, in order.
invite_record_routes() {
    awk '/^INVITE / { inside = 1; next } inside && /^\r?$/ { exit } inside && /^Record-Route:/ { print }' "$1" |
        tr -d '\r'
}

# two_calls WHO LOG: the caller hangs up, then the callee, through the proxy WHO logging to LOG; leaves the
# Record-Routes the callee saw in $WORK/WHO-rr.txt and the proxy's in-dialog lines in $WORK/WHO-in-dialog.txt.
two_calls() {
    start_tcp_uas uas 5080 1 -sf "$S/rr_double_uas.xml" -trace_msg -message_file "$WORK/$1-uas1-messages.log"
    run_uac 127.0.0.1:5060 1 -sf "$S/rr_double_uac.xml" || fail "$1, caller hangs up: the UDP caller's call failed"
    wait_uas || fail "$1, caller hangs up: the TCP callee did not complete the call"
    invite_record_routes "$WORK/$1-uas1-messages.log" > "$WORK/$1-rr.txt"

    start_tcp_uas uas 5080 1 -sf "$S/rr_double_uas_bye.xml" -trace_msg -message_file "$WORK/$1-uas2-messages.log"
    run_uac 127.0.0.1:5060 1 -sf "$S/rr_double_uac_bye_in.xml" -trace_msg \
        -message_file "$WORK/$1-uac2-messages.log" ||
        fail "$1, callee hangs up: the UDP caller did not get the callee's BYE"
    wait_uas || fail "$1, callee hangs up: the TCP callee's BYE got no 200"
    grep -q "^BYE sip:sipp@127.0.0.1:5070 SIP/2.0" "$WORK/$1-uac2-messages.log" ||
        fail "$1: the caller got no BYE to its Contact"
    sed -n 's/^.*<script>: \(in-dialog .*\)$/\1/p' "$2" > "$WORK/$1-in-dialog.txt"
}

# 1. siphost: the callee sees both Record-Routes, in-dialog requests cross both ways.
proxy_config "$WORK/double.cfg"
start_siphost "$WORK/double.cfg"
two_calls siphost "$WORK/siphost.log"
stop_siphost
rr=$(cat "$WORK/siphost-rr.txt")
[ "$(wc -l < "$WORK/siphost-rr.txt")" = 2 ] || fail "the callee saw not two Record-Routes: $rr"
sed -n 1p "$WORK/siphost-rr.txt" |
    grep -q -E '^Record-Route: <sip:127\.0\.0\.1:5060;transport=tcp;r2=on;lr;ftag=[^;>]+>$' ||
    fail "the top Record-Route does not name the outgoing TCP socket: $rr"
sed -n 2p "$WORK/siphost-rr.txt" | grep -q -E '^Record-Route: <sip:127\.0\.0\.1:5060;r2=on;lr;ftag=[^;>]+>$' ||
    fail "the second Record-Route does not name the arrival UDP socket: $rr"
printf '%s\n' "in-dialog ACK over udp to sip:127.0.0.1:5080;transport=TCP du=<null>" \
    "in-dialog BYE over udp to sip:127.0.0.1:5080;transport=TCP du=<null>" \
    "in-dialog ACK over udp to sip:127.0.0.1:5080;transport=TCP du=<null>" \
    "in-dialog BYE over tcp to sip:sipp@127.0.0.1:5070 du=<null>" > "$WORK/expected-in-dialog.txt"
diff "$WORK/expected-in-dialog.txt" "$WORK/siphost-in-dialog.txt" > /dev/null ||
    fail "siphost's in-dialog routing: $(cat "$WORK/siphost-in-dialog.txt")"

# 2. Kamailio 5.6, the same config and calls.
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio): the comparison needs it"
KAM_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
[ -n "$KAM_MODULES" ] || fail "Kamailio's modules are not installed"
proxy_config "$WORK/kamailio.cfg" "mpath=\"$KAM_MODULES/\""
sed -i -e '1i #!KAMAILIO' -e '/^fork=no$/d' "$WORK/kamailio.cfg"
kamailio -f "$WORK/kamailio.cfg" -DD -E -Y "$WORK" -w "$WORK" -P "$WORK/kamailio.pid" > "$WORK/kamailio.log" 2>&1 &
KAM_PID=$!
PIDS="$PIDS $KAM_PID"
wait_port 5060 "$KAM_PID"
two_calls kamailio "$WORK/kamailio.log"
kill -TERM "$KAM_PID" 2>/dev/null
for _ in $(seq 1 200); do kill -0 "$KAM_PID" 2>/dev/null || break; sleep 0.05; done # port 5060 free again
sed 's/127\.0\.0\.1:5060/127.0.0.1/' "$WORK/siphost-rr.txt" | sed 's/ftag=[^;>]*/ftag=X/' > "$WORK/siphost-rr-noport.txt"
sed 's/ftag=[^;>]*/ftag=X/' "$WORK/kamailio-rr.txt" > "$WORK/kamailio-rr-tags.txt"
diff "$WORK/kamailio-rr-tags.txt" "$WORK/siphost-rr-noport.txt" > /dev/null ||
    fail "Kamailio's Record-Routes differ: $(cat "$WORK/kamailio-rr.txt") / siphost's: $rr"
diff "$WORK/kamailio-in-dialog.txt" "$WORK/siphost-in-dialog.txt" > /dev/null ||
    fail "Kamailio routes in-dialog requests otherwise: $(cat "$WORK/kamailio-in-dialog.txt")"

# 3. enable_double_rr=0: one Record-Route, the arrival socket's, and the call still completes.
proxy_config "$WORK/single.cfg" "" 'modparam("rr", "enable_double_rr", 0)'
start_siphost "$WORK/single.cfg"
start_tcp_uas uas 5080 1 -sf "$S/rr_double_uas.xml" -trace_msg -message_file "$WORK/uas3-messages.log"
run_uac 127.0.0.1:5060 1 -sf "$S/rr_double_uac.xml" || fail "enable_double_rr=0: the caller's call failed"
wait_uas || fail "enable_double_rr=0: the callee did not complete the call"
invite_record_routes "$WORK/uas3-messages.log" > "$WORK/rr3.txt"
[ "$(wc -l < "$WORK/rr3.txt")" = 1 ] &&
    grep -q -E '^Record-Route: <sip:127\.0\.0\.1:5060;lr;ftag=[^;>]+>$' "$WORK/rr3.txt" ||
    fail "enable_double_rr=0: not one Record-Route naming the arrival socket: $(cat "$WORK/rr3.txt")"
stop_siphost
echo "PASS: double Record-Route across UDP and TCP, both ways, as Kamailio 5.6; one with enable_double_rr=0"
