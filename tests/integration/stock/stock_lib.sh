# Helpers of the stock-config tests: run Kamailio or siphost on the stock config (which listens on port 5060 of
# every address) and stop it, waiting until the port is free for the next one. Sourced after reg_lib.sh.

# run_server NAME COMMAND...: starts it on the stock config and waits for port 5060.
run_server() {
    name=$1; shift
    "$@" > "$WORK/$name.log" 2>&1 &
    SERVER_PID=$!
    PIDS="$PIDS $SERVER_PID"
    for _ in $(seq 1 200); do
        grep -q ':13C4 ' /proc/net/udp 2>/dev/null && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$name.log"; fail "$name did not start on $STOCK"; }
        sleep 0.05
    done
    fail "$name does not listen on port 5060"
}

stop_server() {
    kill -INT "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 200); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    # Kamailio's children may outlive the main process for a moment.
    for _ in $(seq 1 100); do grep -q ':13C4 ' /proc/net/udp 2>/dev/null || return 0; sleep 0.05; done
    fail "port 5060 is still bound after $1 stopped"
}

