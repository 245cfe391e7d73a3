#!/bin/sh
# auth between sipp and siphost: credentials with a bad uri, response or algorithm, or malformed, and a nonce
# of another secret are refused with -1 and challenged again; the server keeps serving.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/auth"

start_siphost "$HERE/auth.cfg"
run_uac 127.0.0.1:5060 1 -sf "$HERE/scenarios/auth_bad_uac.xml" || fail "bad credentials were not refused as expected"
stop_siphost
expect_log 'auth: REGISTER cseq [2-5] refused with -1' 4
expect_log 'bad credentials: the uri parameter is not a URI' 1
expect_log 'bad credentials: the response is not a hash of the algorithm' 1
expect_log 'bad credentials: unknown algorithm' 1
expect_log 'bad credentials: a credentials header is malformed' 1
expect_log 'a nonce this server did not make' 1
expect_log 'auth: REGISTER cseq 6 refused with -1' 1
expect_log 'auth: REGISTER cseq 7 accepted' 1
echo "PASS: bad credentials and a foreign nonce refused and challenged again, the server kept serving"
