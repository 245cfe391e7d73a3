#!/bin/sh
# set_forward_no_connect(), set_forward_close(), set_reply_close(), set_reply_no_connect(),
# tcp_accept_aliases and force_tcp_alias() over TCP, stateless and through tm (tcp_connection_flags.py plays
# the caller and every peer).
. "$(dirname "$0")/lib.sh"

start_siphost "$SOURCE_DIR/tests/integration/cfg/tcp_connection_flags.cfg"
timeout 120 python3 "$SOURCE_DIR/tests/integration/tcp_connection_flags.py" 5060 "$WORK/siphost.log" \
    > "$WORK/client.log" 2>&1
status=$?
cat "$WORK/client.log"
[ "$status" = 0 ] || fail "the connection flags client failed (status $status)"
stop_siphost
echo "PASS: tcp connection flags"
