#!/bin/sh
# auth between sipp and siphost: a nonce used after nonce_expire is stale; the new challenge says stale=true.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/auth"

start_siphost "$HERE/auth.cfg" -A NONCE_EXPIRE=2
run_uac 127.0.0.1:5060 1 -sf "$HERE/scenarios/auth_stale_uac.xml" || fail "the stale nonce was not challenged with stale=true"
stop_siphost
expect_log 'auth: REGISTER cseq 2 refused with -4' 1
expect_log 'auth: REGISTER cseq 3 accepted' 1
echo "PASS: a stale nonce is challenged again with stale=true"
