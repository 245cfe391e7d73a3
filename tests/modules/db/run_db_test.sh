#!/bin/sh
# Runs the database test binary ($DB_TEST): in_netns.sh starts this in a network namespace of its own, so the
# servers it starts on 127.0.0.1 and everything it sends stay there.
[ -x "$DB_TEST" ] || { echo "FAIL: no test binary in DB_TEST" >&2; exit 1; }
exec "$DB_TEST"
