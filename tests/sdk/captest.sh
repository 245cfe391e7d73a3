#!/bin/sh
# The ABI's capabilities through the real host, one test module each (tests/sdk/modules): per-message slots
# freed with the message, the route type, the last error, reply headers queued for sl's reply, the
# destination set, one-shot and cancelled timers, tasks posted to workers, a watched descriptor, a slow
# periodic timer, thread_init on every thread, event routes with and without a message, metrics.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$(dirname "$0")"

start_siphost "$HERE/captest.cfg" -L "$MODULES:$CAPTEST_MODULES"
run_uac 127.0.0.1:5060 2 -sf "$HERE/captest_uac.xml" || fail "OPTIONS was not answered 200 with X-Captest"
sleep 0.5 # the timers (100 ms) and the tasks
stop_siphost

# thread_init ran on both workers, the timer thread (sl and tm-less configs have none: no timer thread) and
# the slow timer thread, before anything else ran there.
expect_log 'captest_async: thread_init kind 1 index 0$' 1
expect_log 'captest_async: thread_init kind 1 index 1$' 1
expect_log 'captest_async: thread_init kind 3 index 0$' 1
# Slots: set in request_route, read in a sub-route, freed with the message (once per message).
expect_log 'captest_msgctx: slot holds first call .* on message [0-9]+ in route type 1$' 2
expect_log 'captest_msgctx: slot freed: first call ' 2
expect_log 'captest_msgctx: last error 488 not here$' 2
expect_log 'captest_msgctx: branch 0 of 1: sip:carol@127.0.0.1:5091 path <sip:edge.example.com;lr> q 500 flags 4$' 2
# Timers and tasks.
expect_log 'captest_async: timer fired: after OPTIONS on thread kind 3$' 2
expect_log 'captest_async: cancelled 1$' 2
expect_log 'a cancelled timer fired' 0
expect_log 'captest_async: task on worker 1 of 2: posted by OPTIONS \(thread kind 1\)$' 2
expect_log 'captest_async: task on worker [01] of 2: posted anywhere \(thread kind 1\)$' 2
expect_log 'captest_async: pipe readable \(events 1\): p on thread kind 3$' 2
expect_log 'captest_async: slow tick on thread kind 3$' 1
# Event routes: the declared one runs, with the message and on an empty local request.
expect_log 'event_route ran on OPTIONS from [0-9][^ ]*$' 2
expect_log 'event_route ran on OPTIONS from local$' 2
expect_log 'captest_events: event route ran with a message: 1$' 2
expect_log 'captest_events: event route ran without a message: 1$' 2
expect_log 'undeclared event was found' 0
# Metrics, in the log and in the shutdown line.
expect_log 'captest_metrics: counted OPTIONS: 2 of this method, 2 calls$' 1
expect_log 'counters:.* captest_metrics\.requests\{method=OPTIONS\}=2 captest_metrics\.calls=2 .*captest_metrics\.answer=42' 1
echo "PASS: every capability module behaved through the real host"
