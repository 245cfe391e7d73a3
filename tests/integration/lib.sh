# Shared by the integration tests: start siphost and sipp peers on loopback, stop them whatever happens.
# Every peer runs with a bounded call count and a global timeout, so no test can generate traffic forever.
set -u

SIPHOST=${SIPHOST:?path of the siphost binary}
MODULES=${MODULES:?module directory}
SOURCE_DIR=${SOURCE_DIR:?repository root}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/siphost-it.XXXXXX")
PIDS=""

cleanup() {
    for pid in $PIDS; do kill -INT "$pid" 2>/dev/null; done
    sleep 0.3
    for pid in $PIDS; do kill -KILL "$pid" 2>/dev/null; done
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "---- $f"; tail -n 40 "$f"; }; done
    exit 1
}

# start_siphost CONFIG [extra siphost args...]: runs siphost in the foreground mode, logging to $WORK/siphost.log
start_siphost() {
    config=$1; shift
    "$SIPHOST" -DD -E -L "$MODULES" -f "$config" "$@" > "$WORK/siphost.log" 2>&1 &
    SIPHOST_PID=$!
    PIDS="$PIDS $SIPHOST_PID"
    # Ready when it says it listens (or gone when it failed).
    for _ in $(seq 1 100); do
        grep -q "listening on" "$WORK/siphost.log" 2>/dev/null && return 0
        kill -0 "$SIPHOST_PID" 2>/dev/null || fail "siphost did not start"
        sleep 0.05
    done
    fail "siphost did not say it listens"
}

# stop_siphost: SIGINT, as an operator would; siphost must stop on its own and, in a sanitizer build, report
# no leak or error on the way out.
stop_siphost() {
    kill -INT "$SIPHOST_PID" 2>/dev/null
    for _ in $(seq 1 200); do
        if ! kill -0 "$SIPHOST_PID" 2>/dev/null; then
            wait "$SIPHOST_PID" 2>/dev/null
            status=$?
            grep -q -E "ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|runtime error:" "$WORK/siphost.log" &&
                fail "the sanitizer reported a problem in siphost"
            [ "$status" = 0 ] || fail "siphost exited with status $status"
            return 0
        fi
        sleep 0.05
    done
    fail "siphost did not stop on SIGINT"
}

# start_uas PORT CALLS [sipp args...]: a sipp UAS in the background (its own stock scenario unless -sf given)
# logging to $WORK/uas.log; UAS_PID is its pid.
start_uas() {
    start_named_uas uas "$@"
}

# start_named_uas NAME PORT CALLS [sipp args...]: the same for a test with several UASs, logging to
# $WORK/NAME.log and $WORK/NAME-errors.log.
start_named_uas() {
    name=$1; port=$2; calls=$3; shift 3
    (cd "$WORK" && exec sipp -nostdin -i 127.0.0.1 -p "$port" -m "$calls" -timeout 60s -trace_err \
        -error_file "$WORK/$name-errors.log" "$@" > "$WORK/$name.log" 2>&1) &
    UAS_PID=$!
    PIDS="$PIDS $UAS_PID"
    wait_port "$port" "$UAS_PID"
}

# wait_port PORT PID: returns when a UDP socket is bound to PORT (a request relayed before that would be lost,
# and a busy machine is slow to start sipp); fails when PID is gone or 10 s passed.
wait_port() {
    for _ in $(seq 1 200); do
        ss -Huln "sport = :$1" 2>/dev/null | grep -q . && return 0
        kill -0 "$2" 2>/dev/null || fail "the process for port $1 did not start"
        sleep 0.05
    done
    fail "nothing bound port $1"
}

# run_uac TARGET CALLS [sipp args...]: a sipp UAC in the foreground; returns sipp's exit status
run_uac() {
    target=$1; calls=$2; shift 2
    (cd "$WORK" && sipp -nostdin -i 127.0.0.1 -p 5070 -m "$calls" -timeout 60s -timeout_error -trace_err \
        -error_file "$WORK/uac-errors.log" "$@" "$target" > "$WORK/uac.log" 2>&1)
}

wait_uas() {
    for _ in $(seq 1 200); do
        kill -0 "$UAS_PID" 2>/dev/null || { wait "$UAS_PID"; return $?; }
        sleep 0.05
    done
    return 1
}

# expect_log PATTERN COUNT: siphost's log has exactly COUNT lines matching the extended regex
expect_log() {
    found=$(grep -c -E "$1" "$WORK/siphost.log")
    [ "$found" = "$2" ] || fail "expected $2 log lines matching '$1', found $found"
}
