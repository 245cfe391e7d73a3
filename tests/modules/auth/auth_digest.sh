#!/bin/sh
# auth between sipp and siphost: MD5 digest with qop=auth over the wire (401 and 407), a wrong password, a
# nonce reused with the next nc (nonce_count lets a UA cache it); stateless (sl) and stateful (tm).
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/auth"

for mode in stateless stateful; do
    [ "$mode" = stateful ] && mv "$WORK/siphost.log" "$WORK/siphost-stateless.txt"
    if [ "$mode" = stateful ]; then start_siphost "$HERE/auth.cfg" -A WITH_TM; else start_siphost "$HERE/auth.cfg"; fi
    run_uac 127.0.0.1:5060 1 -sf "$HERE/scenarios/auth_uac.xml" || fail "the $mode digest exchange did not go as expected"
    stop_siphost
    expect_log 'auth: REGISTER cseq 1 refused with -5' 1
    expect_log 'wauth: WWW-Authenticate: Digest realm="127.0.0.1", nonce="[0-9a-f]{58}", qop="auth"' 1
    expect_log 'auth: REGISTER cseq 2 accepted' 1
    expect_log 'auth: REGISTER cseq 3 refused with -2' 1
    expect_log 'auth: REGISTER cseq 4 accepted' 1
    expect_log 'auth: REGISTER cseq 5 accepted' 1
    expect_log 'auth: OPTIONS cseq 6 refused with -5' 1
    expect_log 'auth: OPTIONS cseq 7 accepted' 1
    if [ "$mode" = stateful ]; then
        expect_log 'tm\.completed_4xx=3 .*sl\.sent_replies=0 ' 1 # the challenges went out through tm
    else
        expect_log 'sl\.401_replies=2 .*sl\.407_replies=1 ' 1
    fi
done
echo "PASS: MD5 digest: 401 and 407 challenges, success, a wrong password, a cached nonce with the next nc, through sl and tm"
