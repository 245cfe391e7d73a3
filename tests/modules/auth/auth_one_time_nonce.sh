#!/bin/sh
# auth between sipp and siphost with one_time_nonce and no qop: each nonce is good for one request.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/auth"

start_siphost "$HERE/auth.cfg" -A WITH_OTN
run_uac 127.0.0.1:5060 1 -sf "$HERE/scenarios/auth_otn_uac.xml" || fail "a one-time nonce was not used once"
stop_siphost
expect_log 'auth: REGISTER cseq 2 accepted' 1
expect_log 'auth: REGISTER cseq 3 refused with -6' 1
expect_log 'auth: REGISTER cseq 4 accepted' 1
echo "PASS: one-time nonces are accepted once and refused when used again"
