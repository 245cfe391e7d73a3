#!/bin/sh
# The seed's stateless config, one call: the INVITE sees the AVP, every reply, the ACK and the BYE do not
# (../shared/design/KAMAILIO-BEHAVIOUR.md); the call succeeds.
. "$(dirname "$0")/lib.sh"

start_siphost "$SOURCE_DIR/cfg/seed-stateless.cfg"
start_uas 5080 1 -sn uas
run_uac 127.0.0.1:5060 1 -sn uac || fail "the call through siphost failed"
wait_uas || fail "the UAS did not complete the call"
stop_siphost

# Each line carries the config's log_prefix "{$mt $hdr(CSeq) $ci} " (1 request, 2 reply), as the seed's log does.
expect_log 'ERROR: \{1 1 INVITE [^}]+\} <script>: for INVITE the value of AVP "state_test_var" is I remember' 1
expect_log 'ERROR: \{2 1 INVITE [^}]+\} <script>: for 180 response the value of AVP "state_test_var" is <null>' 1
expect_log 'ERROR: \{2 1 INVITE [^}]+\} <script>: for 200 response the value of AVP "state_test_var" is <null>' 1
expect_log 'ERROR: \{1 1 ACK [^}]+\} <script>: for ACK the value of AVP "state_test_var" is <null>' 1
expect_log 'ERROR: \{1 2 BYE [^}]+\} <script>: for BYE the value of AVP "state_test_var" is <null>' 1
expect_log 'ERROR: \{2 2 BYE [^}]+\} <script>: for 200 response the value of AVP "state_test_var" is <null>' 1
expect_log 'state_test_var' 6
echo "PASS: seed stateless call"
