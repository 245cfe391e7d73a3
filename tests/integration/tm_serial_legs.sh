#!/bin/sh
# Serial forking from failure_route (tm's failure_reply_mode and t_drop_replies, t_is_set): the first leg answers
# 404, the second 486. With Kamailio's default (failure_reply_mode 3) only the last leg competes, so the caller
# gets 486; with failure_reply_mode 0, or t_drop_replies("n"), the 404 of the first leg still competes and wins
# (the lower 4xx). Each run is one call.
. "$(dirname "$0")/lib.sh"

sed 's/486 Busy Here/404 Not Found/' "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml" > "$WORK/uas_404.xml"

# one_call EXPECTED_CODE [siphost args...]: a call whose caller must get EXPECTED_CODE.
one_call() {
    code=$1; shift
    sed "s/CODE_HERE/$code/" "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac.xml"
    start_siphost "$SOURCE_DIR/tests/integration/cfg/tm_serial_legs.cfg" "$@"
    start_named_uas first 5080 1 -sf "$WORK/uas_404.xml"
    start_named_uas second 5082 1 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml"
    run_uac 127.0.0.1:5060 1 -sf "$WORK/uac.xml" || fail "the caller did not get $code ($*)"
    sleep 2 # wt_timer is 1 s
    stop_siphost
    expect_log '<script>: failure_route armed before t_on_failure' 0
    expect_log '<script>: failure_route armed' 1
    expect_log '<script>: no onreply_route' 1
    expect_log '<script>: failure_route 404' 1
    expect_log '<script>: failure_route still armed' 0
    for pid in $PIDS; do wait "$pid" 2>/dev/null; done # both UASs end after their one call
    PIDS=""
}

one_call 486
one_call 404 -A MODE0
one_call 404 -A KEEP_ALL
echo "PASS: tm serial legs"
