# TLS helpers over lib.sh (source lib.sh first): certificates made with Debian's openssl in $WORK, and the
# Python TLS peer (tls_peer.py), since Debian's sipp has no TLS.

TLS_PEER="$SOURCE_DIR/tests/integration/tls_peer.py"

# make_cert NAME CN [CA] [DAYS]: an EC key and certificate in $WORK/NAME.key and $WORK/NAME.pem, signed by
# the CA named (NAME of an earlier make_cert), or self-signed without one; DAYS may be negative (expired).
make_cert() {
    name=$1; cn=$2; ca=${3:-}; days=${4:-2}
    openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/$name.key" 2>>"$WORK/openssl.log" ||
        fail "openssl cannot make a key"
    if [ -z "$ca" ]; then
        openssl req -x509 -new -key "$WORK/$name.key" -out "$WORK/$name.pem" -days "$days" -subj "/CN=$cn" \
            -addext "basicConstraints=critical,CA:TRUE" >>"$WORK/openssl.log" 2>&1 ||
            fail "openssl cannot make the certificate $name"
    else
        openssl req -new -key "$WORK/$name.key" -out "$WORK/$name.csr" -subj "/CN=$cn" \
            >>"$WORK/openssl.log" 2>&1 || fail "openssl cannot make the request $name"
        printf 'subjectAltName=DNS:%s,IP:127.0.0.1\n' "$cn" > "$WORK/$name.ext"
        openssl x509 -req -in "$WORK/$name.csr" -CA "$WORK/$ca.pem" -CAkey "$WORK/$ca.key" \
            -CAcreateserial -out "$WORK/$name.pem" -days "$days" -extfile "$WORK/$name.ext" \
            >>"$WORK/openssl.log" 2>&1 || fail "openssl cannot sign the certificate $name"
    fi
}

# tls_peer MODE ARGS...: runs the Python peer (bounded by its own timeouts), output in $WORK/peer.out.
tls_peer() {
    python3 "$TLS_PEER" "$@" > "$WORK/peer.out" 2>&1
}

# udp_register PORT: one REGISTER over UDP answered with 200 (sipp), to show UDP still flows.
udp_register() {
    (cd "$WORK" && sipp -nostdin -i 127.0.0.1 -p 5090 -m 1 -timeout 10s -timeout_error \
        -sf "$SOURCE_DIR/tests/integration/scenarios/register_uac.xml" "127.0.0.1:$1" > "$WORK/udp-register.log" 2>&1)
}
