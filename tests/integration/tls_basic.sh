#!/bin/sh
# TLS in: siphost listens on tls:127.0.0.1:5061 (enable_tls, the tls module with a certificate made here),
# answers OPTIONS and REGISTER sent over TLS by a Python peer on the same connection, and the script sees
# $pr/$proto "tls" and the tls module's $tls_* variables and is_peer_verified(). Start-up refuses TLS
# without the module, a tls listen without enable_tls, and a server profile without a certificate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

make_cert ca "Test CA"
make_cert server siphost.test ca
make_cert alice alice ca

write_config() { # write_config FILE: @WORK@ stands for the work folder
    sed "s|@WORK@|$WORK|g" > "$1" <<'CFG'
debug=3
log_stderror=yes
fork=no
children=2
listen=udp:127.0.0.1:5060
listen=tls:127.0.0.1:5061
listen=tcp:127.0.0.1:5062
enable_tls=yes

loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "tls.so"
loadmodule "xhttp.so"
loadmodule "jsonrpcs.so"
modparam("jsonrpcs", "transport", 1)
modparam("jsonrpcs", "pretty_format", 0)
modparam("tls", "certificate", "@WORK@/server.pem")
modparam("tls", "private_key", "@WORK@/server.key")
modparam("tls", "ca_list", "@WORK@/ca.pem")
modparam("tls", "verify_certificate", 1)

request_route {
    xlog("L_NOTICE", "got $rm over $pr/$proto conid=$conid version=$tls_version cipher=$tls_cipher_info bits=$tls_cipher_bits cn=$tls_peer_subject_cn issuer=$tls_peer_issuer_cn verified=$tls_peer_verified\n");
    if (is_peer_verified()) {
        xlog("L_NOTICE", "peer verified: $tls_peer_subject_cn\n");
    }
    if (is_method("OPTIONS|REGISTER")) {
        sl_send_reply("200", "OK");
        exit;
    }
    sl_send_reply("404", "Not Here");
}
event_route[xhttp:request] {
    jsonrpc_dispatch();
}
CFG
}

write_config "$WORK/tls.cfg"
start_siphost "$WORK/tls.cfg"
grep -q "listening on tls:127.0.0.1:5061" "$WORK/siphost.log" || fail "siphost does not say it listens on TLS"

# OPTIONS without a client certificate: answered, not verified.
tls_peer request 127.0.0.1 5061 OPTIONS --ca "$WORK/ca.pem" --server-name siphost.test ||
    fail "OPTIONS over TLS: $(cat "$WORK/peer.out")"
grep -q "^SIP/2.0 200 OK" "$WORK/peer.out" || fail "OPTIONS over TLS got no 200: $(cat "$WORK/peer.out")"
grep -q "^Via: SIP/2.0/TLS 127.0.0.1:" "$WORK/peer.out" || fail "the 200 lost the TLS Via"
sleep 0.3
expect_log "got OPTIONS over tls/tls conid=[1-9][0-9]* version=TLSv1\.3 cipher=TLS_[A-Z0-9_]+ bits=(128|256) cn=<null> issuer=<null> verified=0" 1

# REGISTER with a client certificate the CA signed: answered, verified, its CN seen; TLS 1.2 too.
tls_peer request 127.0.0.1 5061 REGISTER --ca "$WORK/ca.pem" --server-name siphost.test \
    --cert "$WORK/alice.pem" --key "$WORK/alice.key" --max-version 1.2 ||
    fail "REGISTER over TLS: $(cat "$WORK/peer.out")"
grep -q "^SIP/2.0 200 OK" "$WORK/peer.out" || fail "REGISTER over TLS got no 200: $(cat "$WORK/peer.out")"
grep -q "^tls version: TLSv1.2" "$WORK/peer.out" || fail "the TLS 1.2 client did not get TLS 1.2"
sleep 0.3
expect_log "got REGISTER over tls/tls conid=[1-9][0-9]* version=TLSv1\.2 cipher=[A-Z0-9-]+ bits=(128|256) cn=alice issuer=Test CA verified=1" 1
expect_log "peer verified: alice" 1

# The RPCs see the TLS connection open meanwhile (JSON-RPC over HTTP on the TCP listener).
tls_peer rpc 127.0.0.1 5061 5062 tls.list --cert "$WORK/alice.pem" --key "$WORK/alice.key" ||
    fail "tls.list: $(cat "$WORK/peer.out")"
port=$(sed -n 's/^client port: //p' "$WORK/peer.out")
grep -q "\"src_port\": $port, .*\"state\": \"established\", \"version\": \"TLSv1.3\"" "$WORK/peer.out" ||
    fail "tls.list does not show the open connection from port $port: $(cat "$WORK/peer.out")"
grep -q "\"dst_port\": 5061" "$WORK/peer.out" || fail "tls.list does not show the local port"
tls_peer rpc 127.0.0.1 5061 5062 tls.info || fail "tls.info: $(cat "$WORK/peer.out")"
grep -q '"opened_connections": 1' "$WORK/peer.out" || fail "tls.info does not count the open connection: $(cat "$WORK/peer.out")"

# UDP on the same siphost.
udp_register 5060 || fail "REGISTER over UDP next to TLS failed: $(tail -5 "$WORK/udp-register.log")"
expect_log "got REGISTER over udp/udp conid=<null> version=<null>" 1
stop_siphost

# Start-up errors, each a clear line and a non-zero exit.
refuse() { # refuse CONFIG PATTERN WHAT
    "$SIPHOST" -DD -E -L "$MODULES" -f "$1" > "$WORK/refused.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then kill -INT "$pid"; fail "$3: siphost started"; fi
    wait "$pid" && fail "$3: siphost exited with 0"
    grep -q "$2" "$WORK/refused.log" || fail "$3: no '$2' in $(cat "$WORK/refused.log")"
}
printf 'listen=udp:127.0.0.1:5060\nlisten=tls:127.0.0.1:5061\nenable_tls=yes\nloadmodule "sl.so"\nrequest_route {\n    sl_send_reply("200", "OK");\n}\n' > "$WORK/no-module.cfg"
refuse "$WORK/no-module.cfg" 'enable_tls=yes needs the tls module' "TLS without the tls module"
sed 's/^enable_tls=yes/enable_tls=no/' "$WORK/tls.cfg" > "$WORK/not-enabled.cfg"
refuse "$WORK/not-enabled.cfg" 'listen=tls:127.0.0.1: TLS is not enabled' "listen=tls without enable_tls"
sed '/modparam("tls", "certificate"/d; /modparam("tls", "private_key"/d' "$WORK/tls.cfg" > "$WORK/no-cert.cfg"
refuse "$WORK/no-cert.cfg" 'has no certificate' "a TLS listen without a certificate"
sed "s|$WORK/server.key|$WORK/alice.key|" "$WORK/tls.cfg" > "$WORK/wrong-key.cfg"
refuse "$WORK/wrong-key.cfg" 'cannot load the private key .*alice.key.*mismatch' "a key that does not match"
# listen=IP without a protocol: UDP and TCP on port, TLS on tls_port_no.
sed -e '/^listen=/d' -e 's/^enable_tls=yes/enable_tls=yes\nlisten=127.0.0.1:5060\ntls_port_no=5071/' \
    "$WORK/tls.cfg" > "$WORK/tls-port.cfg"
start_siphost "$WORK/tls-port.cfg"
grep -q "listening on tls:127.0.0.1:5071" "$WORK/siphost.log" || fail "no TLS listener on tls_port_no 5071"
grep -q "listening on tcp:127.0.0.1:5060" "$WORK/siphost.log" || fail "no TCP listener next to it"
tls_peer request 127.0.0.1 5071 OPTIONS || fail "OPTIONS over TLS on tls_port_no: $(cat "$WORK/peer.out")"
grep -q "^SIP/2.0 200 OK" "$WORK/peer.out" || fail "OPTIONS on tls_port_no got no 200"
stop_siphost
echo "PASS: tls basic"
