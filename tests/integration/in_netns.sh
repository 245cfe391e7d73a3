#!/bin/sh
# Runs an integration test in a network namespace of its own that has only loopback, when the user may make
# one (root, as CI is): its fixed ports cannot collide with anything else running on the machine, and nothing
# it sends can leave. Without the privilege it runs in the machine's namespace (ports must then be free).
# usage: in_netns.sh SCRIPT
script=$1
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    exec unshare -n sh -c 'ip link set lo up && exec sh "$0"' "$script"
fi
exec sh "$script"
