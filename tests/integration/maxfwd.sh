#!/bin/sh
# cfg/siphost.cfg: a request with Max-Forwards 0 is answered 483 and not relayed.
. "$(dirname "$0")/lib.sh"
S="$(dirname "$0")/scenarios"

start_siphost "$SOURCE_DIR/cfg/siphost.cfg"
# Anything reaching the UAS port would be a relayed request: listen there and count.
start_uas 5080 1 -sn uas
run_uac 127.0.0.1:5060 1 -sf "$S/maxfwd_uac.xml" || fail "no 483 for Max-Forwards 0"
sleep 0.3
grep -q "OPTIONS" "$WORK"/*_messages.log 2>/dev/null && fail "the request was relayed"
grep -q -E "INVITE|OPTIONS" "$WORK/uas-errors.log" 2>/dev/null && fail "the UAS received something"
echo "PASS: 483 for Max-Forwards 0"
