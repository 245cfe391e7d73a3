#!/bin/sh
# xavps set in request_route are read in the transaction's onreply_route and failure_route (the UAS answers
# 486), as in Kamailio where they live with the transaction.
. "$SOURCE_DIR/tests/integration/lib.sh"

sed 's/CODE_HERE/486/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_486.xml"
start_siphost "$SOURCE_DIR/tests/host/script/xavp_tm.cfg"
start_uas 5080 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_486.xml" || fail "the UAC did not get 486"
wait_uas || fail "the UAS did not get siphost's ACK"
stop_siphost

expect_log '<script>: onreply 180 caller=sipp leg=1 once=u case=31$' 1
expect_log '<script>: onreply 486 caller=sipp leg=1 once=u case=31$' 1
expect_log '<script>: failure_route 486 legs=2, 1 caller=sipp$' 1
echo "PASS: xavps are the transaction's"
