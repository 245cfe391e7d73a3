#!/bin/sh
# What `make run` starts (cfg/siphost.cfg): a stock sipp call through it to a sipp UAS on 5080 succeeds, and
# the core onreply_route saw the replies.
. "$(dirname "$0")/lib.sh"

start_siphost "$SOURCE_DIR/cfg/siphost.cfg"
start_uas 5080 1 -sn uas
run_uac 127.0.0.1:5060 1 -sn uac || fail "the call through the default config failed"
wait_uas || fail "the UAS did not complete the call"
stop_siphost
expect_log 'INFO: <script>: reply 200 OK for INVITE' 1
expect_log 'INFO: <script>: reply 200 OK for BYE' 1
echo "PASS: a call through cfg/siphost.cfg"
