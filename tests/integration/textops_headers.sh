#!/bin/sh
# append_hf, is_present_hf and remove_hf: the UAS sees the header added and the removed one gone; its 486
# and the ACK pass back and forth statelessly.
. "$(dirname "$0")/lib.sh"
S="$(dirname "$0")/scenarios"

start_siphost "$(dirname "$0")/cfg/textops.cfg"
start_uas 5080 1 -sf "$S/textops_uas.xml"
run_uac 127.0.0.1:5060 1 -sf "$S/textops_uac.xml" || fail "the UAC did not get the UAS's 486"
wait_uas || fail "the UAS did not see the header changes"
echo "PASS: header changes seen by the UAS"
