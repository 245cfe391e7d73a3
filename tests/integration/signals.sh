#!/bin/sh
# siphost ignores SIGPIPE (a peer that closes a pipe or socket a module writes to costs that write an EPIPE,
# not the server), and stops cleanly with status 0 on SIGINT and on SIGTERM.
. "$(dirname "$0")/lib.sh"
printf 'debug=2\nlisten=udp:127.0.0.1:5060\nchildren=2\nloadmodule "sl"\nrequest_route { sl_send_reply("404", "Not Here"); }\n' \
    > "$WORK/signals.cfg"

start_siphost "$WORK/signals.cfg"
ignored=$(awk '/^SigIgn:/ { print $2 }' "/proc/$SIPHOST_PID/status")
[ $(( 0x$ignored & 0x1000 )) -ne 0 ] || fail "SIGPIPE is not ignored (SigIgn $ignored)"
kill -PIPE "$SIPHOST_PID"
sleep 0.2
kill -0 "$SIPHOST_PID" 2>/dev/null || fail "SIGPIPE ended siphost"
stop_siphost

start_siphost "$WORK/signals.cfg"
kill -TERM "$SIPHOST_PID"
for _ in $(seq 1 100); do kill -0 "$SIPHOST_PID" 2>/dev/null || break; sleep 0.05; done
wait "$SIPHOST_PID"
status=$?
[ "$status" = 0 ] || fail "siphost exited with status $status on SIGTERM"
expect_log 'stopping on SIGTERM' 1
echo "PASS: signals"
