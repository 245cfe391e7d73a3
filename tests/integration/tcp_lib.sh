# TCP helpers over lib.sh (source lib.sh first): sipp peers that listen on TCP.

# start_tcp_uas NAME PORT CALLS [sipp args...]: a sipp UAS over TCP (-t t1) in the background, logging to
# $WORK/NAME.log; UAS_PID is its pid.
start_tcp_uas() {
    name=$1; port=$2; calls=$3; shift 3
    (cd "$WORK" && exec sipp -nostdin -t t1 -i 127.0.0.1 -p "$port" -m "$calls" -timeout 60s -trace_err \
        -error_file "$WORK/$name-errors.log" "$@" > "$WORK/$name.log" 2>&1) &
    UAS_PID=$!
    PIDS="$PIDS $UAS_PID"
    for _ in $(seq 1 200); do
        ss -Htln "sport = :$port" 2>/dev/null | grep -q . && return 0
        kill -0 "$UAS_PID" 2>/dev/null || fail "the TCP UAS on port $port did not start"
        sleep 0.05
    done
    fail "nothing listens on TCP port $port"
}

# seed_config NAME FROM TO OUT: the seed's config NAME (cfg/seed-NAME.cfg) listening on UDP and TCP, with its
# relaying call FROM replaced by TO (sed patterns), written to OUT.
seed_config() {
    sed -e 's/^listen=udp:127\.0\.0\.1:5060/listen=127.0.0.1:5060/' -e "s/$2/$3/" \
        "$SOURCE_DIR/cfg/seed-$1.cfg" > "$4"
    grep -q '^listen=127.0.0.1:5060' "$4" || fail "the seed's $1 config has no listen line to change"
    grep -q "$3" "$4" || fail "the seed's $1 config has no '$2' to change"
}
