#!/bin/sh
# auth with SHA-256 over the wire (RFC 8760): sipp answers MD5 only, so a small UA in Python (digest_client.py)
# registers with SHA-256 and MD5 against challenges that offer both, and replays a nonce count.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/auth"

command -v python3 >/dev/null || fail "python3 missing: install python3"
start_siphost "$HERE/auth.cfg" -A 'ALGORITHMS="SHA-256,MD5"'
timeout 60 python3 "$HERE/digest_client.py" > "$WORK/client.log" 2>&1
status=$?
stop_siphost
cat "$WORK/client.log"
[ "$status" = 0 ] || fail "the SHA-256 UA saw an unexpected answer"
expect_log 'auth: REGISTER cseq 3 refused with -6' 1
expect_log 'auth: REGISTER cseq [245] accepted' 3
expect_log 'bad credentials: an algorithm that was not offered|bad credentials: unknown algorithm' 1
expect_log 'auth: REGISTER cseq 6 refused with -1' 1
echo "PASS: SHA-256 and MD5 challenges answered, a replayed nc refused"
