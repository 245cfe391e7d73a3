#!/bin/sh
# tm's API from a module through the real host: transaction callbacks see every reply of a call's
# transactions (in and out) and their completion and end, and t_uac sends an OPTIONS that a sipp UAS answers.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$(dirname "$0")"

start_named_uas options 5090 1 -sf "$HERE/captest_options_uas.xml"
OPTIONS_PID=$UAS_PID
start_uas 5080 1 -sn uas
start_siphost "$HERE/captest_tm.cfg" -L "$MODULES:$CAPTEST_MODULES"
run_uac 127.0.0.1:5060 1 -sn uac || fail "the call through tm failed"
wait_uas || fail "the call's UAS did not finish"
UAS_PID=$OPTIONS_PID
wait_uas || fail "the OPTIONS UAS did not get its OPTIONS"
sleep 1 # wt_timer is 300 ms: the transactions end
stop_siphost

# The INVITE's transaction: tm's 100, the 180 and the 200 in and out, completed with 200, then freed.
expect_log 'captest_tm: transaction INVITE: request in 0 branch -1$' 1
expect_log 'captest_tm: transaction INVITE: request out 0 branch 0$' 1
expect_log 'captest_tm: transaction INVITE: response out 100 branch -1$' 1
expect_log 'captest_tm: transaction INVITE: response in 180 branch 0 with reply$' 1
expect_log 'captest_tm: transaction INVITE: response out 180 branch 0 with reply$' 1
expect_log 'captest_tm: transaction INVITE: response in 200 branch 0 with reply$' 1
expect_log 'captest_tm: transaction INVITE: response out 200 branch 0 with reply$' 1
expect_log 'captest_tm: transaction INVITE: completed 200 ' 1
expect_log 'captest_tm: transaction INVITE: destroyed' 1
expect_log 'captest_tm: transaction INVITE: failure' 0
# The BYE's transaction likewise.
expect_log 'captest_tm: transaction BYE: response in 200 branch 0 with reply$' 1
expect_log 'captest_tm: transaction BYE: completed 200 ' 1
expect_log 'captest_tm: transaction BYE: destroyed' 1
# The module's own OPTIONS: sent, answered by the sipp UAS, completed, freed.
expect_log 'captest_tm: t_uac sent 1$' 1
expect_log 'captest_tm: uac OPTIONS: request out 0 branch 0$' 1
expect_log 'captest_tm: uac OPTIONS: response in 200 branch 0 with reply$' 1
expect_log 'captest_tm: uac OPTIONS: completed 200 branch 0 with reply$' 1
expect_log 'captest_tm: uac OPTIONS: destroyed' 1
expect_log 'counters:.* tm\.active=0( |$)' 1
echo "PASS: tm's callbacks and t_uac through the real host"
