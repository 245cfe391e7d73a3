#!/bin/sh
# Runs a test program in a network namespace of its own that has only loopback, when the user may make one
# (root, as CI is): its ports cannot collide with any other test running in parallel, and nothing it sends
# can leave the machine. Without the privilege it runs in the machine's namespace.
# usage: netns_run.sh PROGRAM [ARGS...]   (a test's CROSSCOMPILING_EMULATOR; see siphost_add_test NETNS)
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
exec "$@"
