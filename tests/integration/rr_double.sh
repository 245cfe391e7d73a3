#!/bin/sh
# rr's enable_double_rr (default 1, as Kamailio): a UDP caller's INVITE leaves for a TCP callee, so
# record_route() writes two Record-Routes, the outgoing TCP socket's on top of the arrival UDP socket's, each
# with ;r2=on; loose_route() takes both of the proxy's Route entries off the in-dialog requests, which cross
# the transport change both ways (the caller hangs up, then the callee). With enable_double_rr=0 there is one
# Record-Route, the arrival socket's. (UDP in and out, one Record-Route: record_route.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tcp_lib.sh"
S="$SOURCE_DIR/tests/integration/scenarios"

# proxy_config FILE [modparam line]
proxy_config() {
    cat > "$1" <<CFG
debug=3
log_stderror=yes
fork=no
children=2
listen=udp:127.0.0.1:5060
listen=tcp:127.0.0.1:5060

loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "siputils.so"
loadmodule "textops.so"
${2:-}

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

proxy_config "$WORK/double.cfg"
start_siphost "$WORK/double.cfg"

# 1. The caller hangs up: its ACK and BYE go UDP in, TCP out.
start_tcp_uas uas 5080 1 -sf "$S/rr_double_uas.xml" -trace_msg -message_file "$WORK/uas1-messages.log"
run_uac 127.0.0.1:5060 1 -sf "$S/rr_double_uac.xml" || fail "caller hangs up: the UDP caller's call failed"
wait_uas || fail "caller hangs up: the TCP callee did not complete the call"
invite_record_routes "$WORK/uas1-messages.log" > "$WORK/rr1.txt"
[ "$(wc -l < "$WORK/rr1.txt")" = 2 ] || fail "the callee saw $(wc -l < "$WORK/rr1.txt") Record-Routes: $(cat "$WORK/rr1.txt")"
sed -n 1p "$WORK/rr1.txt" | grep -q -E '^Record-Route: <sip:127\.0\.0\.1:5060;transport=tcp;r2=on;lr;ftag=[^;>]+>$' ||
    fail "the top Record-Route does not name the outgoing TCP socket: $(cat "$WORK/rr1.txt")"
sed -n 2p "$WORK/rr1.txt" | grep -q -E '^Record-Route: <sip:127\.0\.0\.1:5060;r2=on;lr;ftag=[^;>]+>$' ||
    fail "the second Record-Route does not name the arrival UDP socket: $(cat "$WORK/rr1.txt")"
expect_log "in-dialog ACK over udp to sip:127\.0\.0\.1:5080;transport=TCP du=<null>" 1
expect_log "in-dialog BYE over udp to sip:127\.0\.0\.1:5080;transport=TCP du=<null>" 1

# 2. The callee hangs up: its BYE goes TCP in, UDP out, along the same two Routes.
start_tcp_uas uas 5080 1 -sf "$S/rr_double_uas_bye.xml" -trace_msg -message_file "$WORK/uas2-messages.log"
run_uac 127.0.0.1:5060 1 -sf "$S/rr_double_uac_bye_in.xml" -trace_msg -message_file "$WORK/uac2-messages.log" ||
    fail "callee hangs up: the UDP caller did not get the callee's BYE"
wait_uas || fail "callee hangs up: the TCP callee's BYE got no 200"
grep -q "^BYE sip:sipp@127.0.0.1:5070 SIP/2.0" "$WORK/uac2-messages.log" ||
    fail "the caller got no BYE to its Contact"
expect_log "in-dialog BYE over tcp to sip:sipp@127\.0\.0\.1:5070 du=<null>" 1
stop_siphost

# 3. enable_double_rr=0: one Record-Route, the arrival socket's, and the call still completes.
mv "$WORK/siphost.log" "$WORK/siphost-double.log"
proxy_config "$WORK/single.cfg" 'modparam("rr", "enable_double_rr", 0)'
start_siphost "$WORK/single.cfg"
start_tcp_uas uas 5080 1 -sf "$S/rr_double_uas.xml" -trace_msg -message_file "$WORK/uas3-messages.log"
run_uac 127.0.0.1:5060 1 -sf "$S/rr_double_uac.xml" || fail "enable_double_rr=0: the caller's call failed"
wait_uas || fail "enable_double_rr=0: the callee did not complete the call"
invite_record_routes "$WORK/uas3-messages.log" > "$WORK/rr3.txt"
[ "$(wc -l < "$WORK/rr3.txt")" = 1 ] &&
    grep -q -E '^Record-Route: <sip:127\.0\.0\.1:5060;lr;ftag=[^;>]+>$' "$WORK/rr3.txt" ||
    fail "enable_double_rr=0: not one Record-Route naming the arrival socket: $(cat "$WORK/rr3.txt")"
stop_siphost
echo "PASS: double Record-Route across UDP and TCP, both ways; one with enable_double_rr=0"
