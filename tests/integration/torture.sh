#!/bin/sh
# Every RFC 4475 message sent to a running siphost, inside a network namespace that has only loopback (every
# IPv4 address routed locally), so that nothing the messages name can be reached: siphost stays up and the
# handling matches VERDICTS.tsv.
set -eu
RUNNER=${TORTURE_RUNNER:?torture_runner binary}
exec unshare -n sh -c '
    ip link set lo up
    ip route add local 0.0.0.0/0 dev lo
    exec "$0" "$@"
' "$RUNNER" "$SIPHOST" "$MODULES" "$(dirname "$0")/cfg/torture.cfg" "$SOURCE_DIR/tests/data/rfc4475" \
  "$(mktemp "${TMPDIR:-/tmp}/siphost-torture.XXXXXX.log")"
