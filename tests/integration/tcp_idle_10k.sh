#!/bin/sh
# 10,000 idle TCP connections (issue 15): siphost, with tcp_max_connections=10000, keeps them all open and
# answers on them, its memory grows by at most MAX_KB_PER_CONNECTION (PSS and RSS of the process), a flood of
# 300 more is refused while they stay, and OPTIONS over UDP are answered all along (tcp_idle_10k.py).
. "$(dirname "$0")/lib.sh"
COUNT=10000
# Generous: siphost kept 6.2 KB per idle connection when this test was written (bench/RESULTS.md has the
# bench beside Kamailio); the kernel's socket memory is not in the process's PSS or RSS.
MAX_KB_PER_CONNECTION=16
# An AddressSanitizer build (make test-asan) pads every allocation and holds freed memory in quarantine: the
# bound is for the memory's growing with the connections, not its size, there.
if grep -q __asan_init "$SIPHOST" 2>/dev/null; then MAX_KB_PER_CONNECTION=96; fi

# siphost and the client each hold COUNT descriptors and some.
need=$((COUNT + 1000))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$need" ]; then
    ulimit -Hn "$need" 2>/dev/null || fail "the hard limit of open files ($(ulimit -Hn)) is below $need and cannot be raised"
fi
ulimit -n "$need" || fail "cannot raise the limit of open files to $need"

start_siphost "$SOURCE_DIR/tests/integration/cfg/tcp_idle_10k.cfg"
timeout 170 /usr/bin/python3 "$SOURCE_DIR/tests/integration/tcp_idle_10k.py" "$SIPHOST_PID" 5060 "$COUNT" \
    "$MAX_KB_PER_CONNECTION" > "$WORK/client.log" 2>&1
status=$?
cat "$WORK/client.log"
[ "$status" = 0 ] || fail "the idle-connection client failed (status $status)"
stop_siphost
refused=$(grep -c "refused a TCP connection from 127.0.0.1" "$WORK/siphost.log")
[ "$refused" -ge 300 ] || fail "siphost logged $refused refused connections, not the 300 of the flood"
echo "PASS: $COUNT idle TCP connections held, the flood beyond them refused, UDP answered"
