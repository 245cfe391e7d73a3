#!/bin/sh
# tcpops in siphost: every function's return code for an open, a closed and an unknown connection (the codes
# Kamailio 5.6.3 returned for the same requests on the same tcpops.cfg), and tcp_set_connection_lifetime
# closing an idle connection at the new time, sooner and later than tcp_connection_lifetime.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE=$(dirname "$0")

start_siphost "$HERE/tcpops.cfg"
timeout 120 /usr/bin/python3 "$HERE/tcpops_client.py" 5060 > "$WORK/client.log" 2>&1
status=$?
cat "$WORK/client.log"
[ "$status" = 0 ] || fail "the tcpops client failed (status $status)"
stop_siphost
echo "PASS: tcpops"
