#!/bin/sh
# Bridging TLS and UDP through tm: a TLS caller (Python) to a UDP UAS (sipp), and a UDP caller (sipp) to a
# TLS UAS (Python) reached through t_relay_to_tls (then a "sips:" $du, and forward_tls() for the ACK) with the client profile of tls.cfg verifying its
# certificate (ca_list) and sending SNI. Each leg carries its own transport in Via and Record-Route, and the
# TLS UAS sees the whole call on the one connection siphost opened (reuse).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

make_cert ca "Test CA"
make_cert server siphost.test ca
make_cert bob bob.test ca
make_cert org sip.example.org ca

cat > "$WORK/tls-profiles.cfg" <<CFG
# server side: the modparams' default is replaced by this one
[server:default]
method = TLSv1.2+
certificate = $WORK/server.pem
private_key = $WORK/server.key
ca_list = $WORK/ca.pem

# a second domain on the same listener, chosen by SNI
[server:default]
server_name = sip.example.org
certificate = $WORK/org.pem
private_key = $WORK/org.key

[client:default]
verify_certificate = no

[client:127.0.0.1:5081]
method = TLSv1.2+
verify_certificate = yes
ca_list = $WORK/ca.pem
server_name = bob.test
CFG

sed "s|@WORK@|$WORK|g" > "$WORK/bridge.cfg" <<'CFG'
debug=3
log_stderror=yes
fork=no
children=2
listen=udp:127.0.0.1:5060
listen=tls:127.0.0.1:5061
enable_tls=yes

loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "tls.so"
modparam("tls", "config", "@WORK@/tls-profiles.cfg")

request_route {
    xlog("L_NOTICE", "$rm from $pr:$si:$sp\n");
    if (is_method("REGISTER")) {
        sl_send_reply("200", "OK");
        exit;
    }
    if (has_totag()) {
        if (loose_route()) {
            t_relay();
            exit;
        }
    }
    if (is_method("INVITE")) {
        record_route();
    }
    if ($pr == "tls") {
        t_relay_to_udp("127.0.0.1", "5080");
    } else {
        # the INVITE goes by t_relay_to_tls, the ACK by forward_tls, the BYE by a sips: URI: one connection
        # for all
        if (has_totag()) {
            if (is_method("ACK")) {
                # stateless, over the TLS connection the INVITE opened
                xlog("L_NOTICE", "ACK by forward_tls\n");
                forward_tls("127.0.0.1", "5081");
                exit;
            }
            $du = "sips:127.0.0.1:5081";
            t_relay();
        } else {
            t_relay_to_tls("127.0.0.1", "5081");
        }
    }
}
CFG

# TLS -> UDP
start_siphost "$WORK/bridge.cfg"
# SNI picks the server profile (the peer checks the name in the certificate it gets).
tls_peer request 127.0.0.1 5061 REGISTER --ca "$WORK/ca.pem" --server-name sip.example.org ||
    fail "REGISTER with SNI sip.example.org: $(cat "$WORK/peer.out")"
grep -q "^server certificate: sip.example.org" "$WORK/peer.out" || fail "SNI did not choose the profile of sip.example.org"
tls_peer request 127.0.0.1 5061 REGISTER --ca "$WORK/ca.pem" --server-name siphost.test ||
    fail "REGISTER with SNI siphost.test: $(cat "$WORK/peer.out")"
grep -q "^server certificate: siphost.test" "$WORK/peer.out" || fail "an unknown SNI did not get the default profile"

start_uas 5080 1 -sn uas -trace_msg -message_file "$WORK/uas-messages.log"
tls_peer call 127.0.0.1 5061 --uri "sip:bob@127.0.0.1:5080" ||
    fail "TLS to UDP: the call failed: $(cat "$WORK/peer.out")"
wait_uas || fail "TLS to UDP: the UAS did not complete the call"
grep -q "^BYE: SIP/2.0 200" "$WORK/peer.out" || fail "TLS to UDP: the BYE got no 200"
# Two Record-Routes (rr's enable_double_rr): the UDP side siphost sends from, then the TLS side.
grep -A1 "^Record-Route: <sip:127.0.0.1:5060;r2=on;lr" "$WORK/uas-messages.log" |
    grep -q "^Record-Route: <sip:127.0.0.1:5061;transport=tls;r2=on;lr" ||
    fail "TLS to UDP: the UAS saw no Record-Routes of the UDP side, then the TLS side"
grep -q "^Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" "$WORK/uas-messages.log" ||
    fail "TLS to UDP: the UAS saw no Via: SIP/2.0/UDP from siphost"
grep -q "^Via: SIP/2.0/TLS 127.0.0.1:[0-9]*;branch=.*;received=127.0.0.1" "$WORK/uas-messages.log" ||
    grep -q "^Via: SIP/2.0/TLS 127.0.0.1:[0-9]*;branch=" "$WORK/uas-messages.log" ||
    fail "TLS to UDP: the caller's TLS Via did not reach the UAS"
expect_log "INVITE from tls:127.0.0.1:" 1
expect_log "BYE from tls:127.0.0.1:" 1
stop_siphost
mv "$WORK/siphost.log" "$WORK/siphost-tls-to-udp.log"

# UDP -> TLS
start_siphost "$WORK/bridge.cfg"
python3 "$TLS_PEER" uas 5081 --cert "$WORK/bob.pem" --key "$WORK/bob.key" --log "$WORK/tls-uas-messages.log" \
    --timeout 20 > "$WORK/tls-uas.out" 2>&1 &
TLS_UAS=$!
PIDS="$PIDS $TLS_UAS"
wait_port() { :; }
for _ in $(seq 1 100); do grep -q listening "$WORK/tls-uas.out" && break; sleep 0.05; done
run_uac 127.0.0.1:5060 1 -sn uac || fail "UDP to TLS: the call through siphost failed"
wait "$TLS_UAS" || fail "UDP to TLS: the TLS UAS did not see INVITE, ACK and BYE on one connection: $(cat "$WORK/tls-uas.out")"
grep -q "^INVITE sip:" "$WORK/tls-uas-messages.log" || fail "UDP to TLS: no INVITE at the TLS UAS"
grep -q "^Via: SIP/2.0/TLS 127.0.0.1:5061;branch=" "$WORK/tls-uas-messages.log" ||
    fail "UDP to TLS: the TLS UAS saw no Via: SIP/2.0/TLS 127.0.0.1:5061 from siphost"
grep -q "^Via: SIP/2.0/UDP 127.0.0.1:5070" "$WORK/tls-uas-messages.log" ||
    fail "UDP to TLS: the caller's UDP Via did not reach the TLS UAS"
expect_log "ACK by forward_tls" 1
grep -q "^ACK sip:" "$WORK/tls-uas-messages.log" || fail "UDP to TLS: the ACK sent by forward_tls() did not arrive"
stop_siphost

# A client profile that cannot verify the UAS: the handshake fails, logged with the reason.
mv "$WORK/siphost.log" "$WORK/siphost-udp-to-tls.log"
make_cert other "Other CA"
sed -i "s|^ca_list = $WORK/ca.pem\$|ca_list = $WORK/other.pem|" "$WORK/tls-profiles.cfg"
sed -i "0,/^ca_list = $WORK\/other.pem/s||ca_list = $WORK/ca.pem|" "$WORK/tls-profiles.cfg"
grep -q "other.pem" "$WORK/tls-profiles.cfg" || fail "could not change the client profile's ca_list"
start_siphost "$WORK/bridge.cfg"
python3 "$TLS_PEER" uas 5081 --cert "$WORK/bob.pem" --key "$WORK/bob.key" --timeout 5 > "$WORK/tls-uas2.out" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 100); do grep -q listening "$WORK/tls-uas2.out" && break; sleep 0.05; done
(cd "$WORK" && sipp -nostdin -i 127.0.0.1 -p 5070 -m 1 -timeout 6s -sn uac 127.0.0.1:5060 > "$WORK/uac2.log" 2>&1)
sleep 0.5
grep -q "closing the TLS connection .*certificate verify failed" "$WORK/siphost.log" ||
    fail "an unverifiable UAS certificate was not refused with its reason"
udp_register 5060 || fail "REGISTER over UDP after the refused TLS connection failed"
stop_siphost
echo "PASS: tls bridging"
