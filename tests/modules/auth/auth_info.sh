#!/bin/sh
# auth's add_authinfo_hdr over the wire: a Python UA (authinfo_client.py) registers and checks the
# Authentication-Info of the 200 (rspauth per RFC 2617 3.2.3, nextnonce, qop/cnonce/nc): with nonce_count and
# qop=auth, stateless and through tm; with one_time_nonce (nextnonce is a new nonce the UA then uses); and
# without the parameter (no header).
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/auth"

command -v python3 >/dev/null || fail "python3 missing: install python3"
run_client() {
    what=$1; mode=$2; shift 2
    start_siphost "$HERE/auth.cfg" "$@"
    timeout 60 python3 "$HERE/authinfo_client.py" "$mode" > "$WORK/client-$what.log" 2>&1
    client_rc=$?
    stop_siphost
    cat "$WORK/client-$what.log"
    [ "$client_rc" = 0 ] || fail "$what: the UA saw an unexpected answer"
}
run_client stateless qop -A WITH_AUTHINFO
run_client tm qop -A WITH_AUTHINFO -A WITH_TM
run_client one_time_nonce otn -A WITH_AUTHINFO -A WITH_OTN
run_client off off
echo "PASS: Authentication-Info with RFC 2617's rspauth when add_authinfo_hdr is set, none otherwise"
