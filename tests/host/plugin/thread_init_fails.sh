#!/bin/sh
# A module whose thread_init refuses a worker thread stops siphost with status 1 and the module's name, instead
# of leaving it running without the module (module.h: "Returns 0, or -1 to stop the host").
# Environment: SIPHOST (the binary), FIXTURE_DIR (where fixture_thread_init_fails.so is).
work=$(mktemp -d /tmp/siphost-thread-init.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf 'listen=udp:127.0.0.1:5199\nchildren=2\nloadmodule "fixture_thread_init_fails"\nrequest_route { drop; }\n' \
    > "$work/siphost.cfg"
timeout 20 "$SIPHOST" -DD -E -L "$FIXTURE_DIR" -f "$work/siphost.cfg" > "$work/log" 2>&1
status=$?
cat "$work/log"
[ "$status" = 1 ] || { echo "FAIL: siphost exited with status $status, expected 1"; exit 1; }
grep -q "module 'fixture_thread_init_fails' failed to initialise its worker thread .*: stopping" "$work/log" ||
    { echo "FAIL: the log does not name the module and the thread"; exit 1; }
echo "PASS: a refused thread_init stops siphost"
