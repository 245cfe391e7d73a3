#!/bin/sh
# Bad TLS input, each closed and logged while UDP keeps being answered by the same siphost: bytes that are
# no ClientHello, a client certificate that is untrusted, expired or missing where require_certificate asks
# for one, and a handshake that never comes (closed after the handshake timeout). A trusted client
# certificate still gets in.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

make_cert ca "Test CA"
make_cert server siphost.test ca
make_cert alice alice ca
make_cert expired expired ca -1
make_cert mallory mallory

sed "s|@WORK@|$WORK|g" > "$WORK/abuse.cfg" <<'CFG'
debug=3
log_stderror=yes
fork=no
children=2
listen=udp:127.0.0.1:5060
listen=tls:127.0.0.1:5061
enable_tls=yes

loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "tls.so"
modparam("tls", "certificate", "@WORK@/server.pem")
modparam("tls", "private_key", "@WORK@/server.key")
modparam("tls", "ca_list", "@WORK@/ca.pem")
modparam("tls", "verify_certificate", 1)
modparam("tls", "require_certificate", 1)

request_route {
    xlog("L_NOTICE", "$rm over $pr from $tls_peer_subject_cn\n");
    sl_send_reply("200", "OK");
}
CFG
start_siphost "$WORK/abuse.cfg"
udp_alive() { udp_register 5060 || fail "UDP stopped being answered after $1"; }

tls_peer handshake 127.0.0.1 5061 --ca "$WORK/ca.pem" --cert "$WORK/alice.pem" --key "$WORK/alice.key"
grep -q "^handshake ok" "$WORK/peer.out" || fail "a trusted client certificate was refused: $(cat "$WORK/peer.out")"
tls_peer request 127.0.0.1 5061 OPTIONS --ca "$WORK/ca.pem" --cert "$WORK/alice.pem" --key "$WORK/alice.key" ||
    fail "OPTIONS with a trusted certificate: $(cat "$WORK/peer.out")"
grep -q "^SIP/2.0 200" "$WORK/peer.out" || fail "OPTIONS with a trusted certificate got no 200"
sleep 0.2
expect_log "OPTIONS over tls from alice" 1

tls_peer garbage 127.0.0.1 5061 --timeout 8
grep -q "^garbage: \(closed\|reset\)" "$WORK/peer.out" || fail "garbage was not closed: $(cat "$WORK/peer.out")"
sleep 0.2
expect_log "closing the TLS connection [0-9]+ with 127\.0\.0\.1:[0-9]+: TLS handshake: .*(wrong version number|http request|unknown protocol|record)" 1
udp_alive "the garbage"

for who in mallory expired none; do
    if [ "$who" = none ]; then
        tls_peer handshake 127.0.0.1 5061 --ca "$WORK/ca.pem"
    else
        tls_peer handshake 127.0.0.1 5061 --ca "$WORK/ca.pem" --cert "$WORK/$who.pem" --key "$WORK/$who.key"
    fi
    grep -q "^handshake failed" "$WORK/peer.out" ||
        fail "the client certificate '$who' was let in: $(cat "$WORK/peer.out")"
    udp_alive "the refused certificate '$who'"
done
sleep 0.2
expect_log "closing the TLS connection .*certificate verify failed \(certificate: self[- ]signed certificate\)" 1
expect_log "closing the TLS connection .*certificate verify failed \(certificate: certificate has expired\)" 1
expect_log "closing the TLS connection .*peer did not return a certificate" 1
expect_log "over tls from (mallory|expired)" 0

# A connection that never says hello is closed after the handshake timeout (5 s), not the idle lifetime.
tls_peer stall 127.0.0.1 5061 --timeout 12
grep -q "^stall: \(closed\|reset\) after [4-7]\." "$WORK/peer.out" ||
    fail "a silent connection was not closed after the handshake timeout: $(cat "$WORK/peer.out")"
expect_log "closing the TLS connection [0-9]+ to 127\.0\.0\.1:[0-9]+: the TLS handshake timed out" 1
udp_alive "the stalled handshake"
stop_siphost
echo "PASS: tls abuse"
