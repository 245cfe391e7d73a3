#!/bin/sh
# Where replies go (RFC 3261 18.2.2): a request whose top Via names a host that does not resolve is answered at
# its source address, as Kamailio answers RFC 4475's zeromf with 483, and with rport at the source port.
. "$(dirname "$0")/lib.sh"
S="$(dirname "$0")/scenarios"

start_siphost "$SOURCE_DIR/cfg/siphost.cfg"
run_uac 127.0.0.1:5060 1 -sf "$S/zero_max_forwards_uac.xml" || fail "no 483 came back to the source address"
stop_siphost
expect_log 'sl\.483_replies=1 |sl\.4xx_replies=1 ' 1
echo "PASS: a reply goes to the source address when the Via names an unresolvable host"
