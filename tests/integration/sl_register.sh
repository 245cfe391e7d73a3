#!/bin/sh
# cfg/siphost.cfg: REGISTER is answered 200 statelessly by sl, with a To-tag; sl counts the reply.
. "$(dirname "$0")/lib.sh"
S="$(dirname "$0")/scenarios"

start_siphost "$SOURCE_DIR/cfg/siphost.cfg"
run_uac 127.0.0.1:5060 1 -sf "$S/register_uac.xml" || fail "REGISTER was not answered 200 with a To-tag"
stop_siphost
expect_log 'sl\.200_replies=1 .*sl\.sent_replies=1' 1
echo "PASS: REGISTER answered 200 with a To-tag"
