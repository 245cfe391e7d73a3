#!/bin/sh
# Bad input over TCP (tcp_abuse.py): 1-byte segments, two messages in a segment, a ping, an unfinished
# message, a missing Content-Length, a 1 MB header, a connection flood; UDP is answered all along.
. "$(dirname "$0")/lib.sh"

start_siphost "$SOURCE_DIR/tests/integration/cfg/tcp_abuse.cfg"
timeout 90 python3 "$SOURCE_DIR/tests/integration/tcp_abuse.py" 5060 20 > "$WORK/client.log" 2>&1
status=$?
cat "$WORK/client.log"
[ "$status" = 0 ] || fail "the TCP abuse client failed (status $status)"
stop_siphost
expect_log 'OPTIONS over tcp from 127.0.0.1' 5
grep -q "refused a TCP connection from 127.0.0.1" "$WORK/siphost.log" || fail "no refused connection was logged"
echo "PASS: tcp abuse"
