#!/bin/sh
# The same TCP and TLS calls through Kamailio 5.6 and through siphost, both running the same config: the seed's
# stateful config (cfg/seed-stateful.cfg) listening on UDP, TCP and TLS, relaying with t_relay() to a UAS over
# the transport the call came in on. Over TCP a sipp UAC (-t t1) calls a sipp UAS (-t t1); over TLS a Python
# TLS UAC (tests/integration/tls_peer.py, since Debian's sipp has no TLS) calls a Python TLS UAS. Each call
# must complete on both servers, the script must log the same lines, and what the UAS and the UAC received
# must be the same once branches, tags, Call-IDs and ephemeral ports are made uniform and forms RFC 3261 makes
# equal are written alike (../normalise.py), but for the lines listed under "## tcp_tls" in
# tests/compat/INTENDED-DIFFERENCES.md with their reasons.
# Kamailio first, then siphost, on the same ports, one after the other.
# usage (through tests/integration/in_netns.sh): transports.sh
. "$SOURCE_DIR/tests/integration/lib.sh"
. "$SOURCE_DIR/tests/integration/tls_lib.sh"
. "$SOURCE_DIR/tests/compat/compat_lib.sh"

[ -f "$KAM_MODULES/tls.so" ] ||
    fail "Kamailio's tls module is missing ($KAM_MODULES/tls.so): install Debian's kamailio-tls-modules (make deps)"

make_cert ca "Test CA"
make_cert server proxy.test ca
make_cert uas uas.test ca
cat > "$WORK/tls.cfg" <<CFG
[server:default]
method = TLSv1.2+
certificate = $WORK/server.pem
private_key = $WORK/server.key

[client:default]
method = TLSv1.2+
verify_certificate = no
CFG

# The seed's config, with its listen line for three transports, without its log_prefix (it holds the Call-ID),
# and with its t_relay_to_udp() replaced by t_relay() to the UAS of the call's transport.
RELAY='if ($pr == "tls") { $du = "sip:127.0.0.1:5081;transport=tls"; } else { $du = "sip:127.0.0.1:5080;transport=tcp"; } t_relay();'
for who in kamailio siphost; do
    sed -e "s|^listen=udp:127.0.0.1:5060\$|listen=udp:127.0.0.1:5060\nlisten=tcp:127.0.0.1:5060\nlisten=tls:127.0.0.1:5061\nenable_tls=yes|" \
        -e '/^log_prefix=/d' \
        -e "s|^loadmodule \"tm.so\"\$|loadmodule \"tls.so\"\nmodparam(\"tls\", \"config\", \"$WORK/tls.cfg\")\nloadmodule \"tm.so\"|" \
        -e "s|t_relay_to_udp(\"127.0.0.1\", \"5080\");|$RELAY|" \
        "$SOURCE_DIR/cfg/seed-stateful.cfg" > "$WORK/$who.cfg"
    for line in 'listen=tls:127.0.0.1:5061' 'loadmodule "tls.so"' 't_relay();'; do
        grep -q -F "$line" "$WORK/$who.cfg" || fail "the seed's stateful config changed: no '$line' after the edit"
    done
done

# calls NAME: the TCP call, then the TLS call, through the server running now; their messages in $WORK/NAME-*.
calls() {
    who=$1
    (cd "$WORK" && exec sipp -nostdin -t t1 -i 127.0.0.1 -p 5080 -m 1 -timeout 30s \
        -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml" -trace_msg -message_file "$WORK/$who-tcp-uas.msg" \
        > "$WORK/$who-tcp-uas.log" 2>&1) &
    uas=$!
    PIDS="$PIDS $uas"
    for _ in $(seq 1 200); do
        ss -Htln 2>/dev/null | grep -q '127\.0\.0\.1:5080\b' && break
        kill -0 "$uas" 2>/dev/null || fail "$who: the TCP UAS did not start"
        sleep 0.05
    done
    (cd "$WORK" && sipp -nostdin -t t1 -i 127.0.0.1 -p 5070 -m 1 -timeout 30s -timeout_error -sn uac \
        -trace_msg -message_file "$WORK/$who-tcp-uac.msg" 127.0.0.1:5060 > "$WORK/$who-tcp-uac.log" 2>&1) ||
        fail "$who: the call over TCP failed"
    for _ in $(seq 1 200); do kill -0 "$uas" 2>/dev/null || break; sleep 0.05; done
    wait "$uas" || fail "$who: the TCP UAS did not complete the call"

    $PY "$TLS_PEER" uas 5081 --cert "$WORK/uas.pem" --key "$WORK/uas.key" --log "$WORK/$who-tls-uas.msg" \
        --timeout 20 > "$WORK/$who-tls-uas.out" 2>&1 &
    uas=$!
    PIDS="$PIDS $uas"
    for _ in $(seq 1 200); do grep -q listening "$WORK/$who-tls-uas.out" && break; sleep 0.05; done
    $PY "$TLS_PEER" call 127.0.0.1 5061 --uri "sip:bob@127.0.0.1:5081;transport=tls" --timeout 20 \
        > "$WORK/$who-tls-uac.msg" 2>&1 || fail "$who: the call over TLS failed: $(cat "$WORK/$who-tls-uac.msg")"
    wait "$uas" || fail "$who: the TLS UAS did not see INVITE, ACK and BYE: $(cat "$WORK/$who-tls-uas.out")"
}

kamailio_config "$WORK/kamailio.cfg" "$WORK/kamailio-mpath.cfg"
start_kamailio "$WORK/kamailio-mpath.cfg" tcp 5061
calls kamailio
sleep 0.3
stop_kamailio 5060 5061
start_siphost "$WORK/siphost.cfg"
SERVER_PID=$SIPHOST_PID
calls siphost
sleep 0.3
stop_siphost

intended_lines tcp_tls
[ -s "$WORK/intended.txt" ] || fail "no tcp_tls section in tests/compat/INTENDED-DIFFERENCES.md"
status=0 ACCEPTED=0
for part in tcp-uas tcp-uac tls-uas tls-uac; do
    mode=sipp; case $part in tls-*) mode=heads ;; esac
    compare_normalised "$mode" "$part" || status=1
done
compare_script_lines || status=1
[ "$status" = 0 ] || fail "siphost's TCP or TLS call differs from Kamailio's"
echo "PASS: the same TCP and TLS calls on Kamailio and siphost: $(cat "$WORK"/siphost-*.txt | grep -c '^--$') messages" \
    "alike but for $ACCEPTED intended diff lines, $(wc -l < "$WORK/siphost.lines") script lines alike"
