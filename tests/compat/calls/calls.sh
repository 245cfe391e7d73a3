#!/bin/sh
# One call flow, two servers: the scenario's config runs on Kamailio 5.6 (Debian's), then on siphost, on the same
# ports (proxy udp:127.0.0.1:5060), with the same sipp peers over UDP: a UAC on 5070, a UAS on 5080 and, when
# the scenario has them, a second UAS on 5081 and a third on 5082. The call must complete on both servers; the lines the script logs
# (in order) and every message the UAC and the UASs receive (header by header, after ../normalise.py) must be the
# same, but for the lines listed with their reasons in tests/compat/INTENDED-DIFFERENCES.md under "## calls"
# (every scenario) and "## call_SCENARIO".
# A scenario is a directory here holding "peers", a shell fragment that sets
#   CONFIG   the proxy's config (a path relative to the repository, or to the scenario's directory)
#   UAC      the UAC's sipp arguments (its scenario: -sn NAME or -sf FILE)
#   UAS      the first UAS's sipp arguments
#   UAS2     the second UAS's sipp arguments, or empty
#   UAS3     the third UAS's sipp arguments, or empty (only with UAS2)
#   SETTLE   seconds to wait after the last peer is done before the server stops (timers that still log), or 0
# The peers' scenario files of sipp/ retransmit after 2 s, not sipp's usual 500 ms: on a loaded machine, a
# retransmission that one server's run gets and the other's does not would make a script log one line more
# (the peers' copies of a retransmission are left out of the comparison: normalise.py --once).
# usage (through tests/integration/in_netns.sh): calls.sh, with COMPAT_CALL=SCENARIO
. "$SOURCE_DIR/tests/integration/lib.sh"
. "$SOURCE_DIR/tests/compat/compat_lib.sh"
scenario=${COMPAT_CALL:?scenario name}
DIR="$COMPAT_DIR/calls/$scenario"
# shellcheck disable=SC2034 # used by the peers files
SIPP="$COMPAT_DIR/calls/sipp" # the peers' scenario files the call flows share
[ -f "$DIR/peers" ] || fail "no scenario $DIR/peers"
CONFIG="" UAC="" UAS="" UAS2="" UAS3="" SETTLE=0
# shellcheck source=/dev/null
. "$DIR/peers"
[ -n "$CONFIG" ] && [ -n "$UAC" ] && [ -n "$UAS" ] || fail "$DIR/peers must set CONFIG, UAC and UAS"
[ -z "$UAS3" ] || [ -n "$UAS2" ] || fail "$DIR/peers sets UAS3 without UAS2"
case $CONFIG in /*) ;; *) [ -f "$DIR/$CONFIG" ] && CONFIG="$DIR/$CONFIG" || CONFIG="$SOURCE_DIR/$CONFIG" ;; esac
[ -f "$CONFIG" ] || fail "$scenario: no config $CONFIG"
# One worker on each side: with two, Kamailio's processes may take a UAS's 180 and the 200 right behind it in
# either order (and then drop the late 180), so what the peers receive would depend on the machine's load.
sed 's/^children=.*/children=1/' "$CONFIG" > "$WORK/proxy.cfg"
grep -q '^children=1$' "$WORK/proxy.cfg" || echo 'children=1' >> "$WORK/proxy.cfg"
kamailio_config "$WORK/proxy.cfg" "$WORK/kamailio.cfg"

# Every peer is bounded: one call, 20 s at most (a call here lasts a few seconds at most, timers included).
peer() { # peer WHO NAME PORT ARGS...: a sipp peer in the background, its received messages in $WORK/WHO-NAME.msg
    who=$1 name=$2 port=$3; shift 3
    (cd "$WORK" && exec sipp -nostdin -i 127.0.0.1 -p "$port" -m 1 -timeout 20s -timeout_error -trace_msg \
        -message_file "$WORK/$who-$name.msg" -trace_err -error_file "$WORK/$who-$name-errors.log" "$@" \
        > "$WORK/$who-$name.log" 2>&1) &
    PEER_PID=$!
    PIDS="$PIDS $PEER_PID"
    wait_port "$port" "$PEER_PID"
}

wait_peer() { # wait_peer PID WHAT: the peer must end on its own (it has its -timeout) and succeed
    for _ in $(seq 1 500); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
    wait "$1" || fail "$2 did not complete the call: $(cat "$WORK"/*-errors.log 2>/dev/null | tail -n 20)"
}

call() { # call WHO: the scenario's call through the server running now
    who=$1
    # shellcheck disable=SC2086 # the peers' arguments are word lists
    peer "$who" uas 5080 $UAS
    uas=$PEER_PID uas2="" uas3=""
    if [ -n "$UAS2" ]; then
        # shellcheck disable=SC2086
        peer "$who" uas2 5081 $UAS2
        uas2=$PEER_PID
    fi
    if [ -n "$UAS3" ]; then
        # shellcheck disable=SC2086
        peer "$who" uas3 5082 $UAS3
        uas3=$PEER_PID
    fi
    # shellcheck disable=SC2086
    (cd "$WORK" && sipp -nostdin -i 127.0.0.1 -p 5070 -m 1 -timeout 20s -timeout_error -trace_msg \
        -message_file "$WORK/$who-uac.msg" -trace_err -error_file "$WORK/$who-uac-errors.log" $UAC \
        127.0.0.1:5060 > "$WORK/$who-uac.log" 2>&1) ||
        fail "$who: the UAC's call failed: $(tail -n 20 "$WORK/$who-uac-errors.log" 2>/dev/null)"
    wait_peer "$uas" "$who: the UAS"
    [ -z "$uas2" ] || wait_peer "$uas2" "$who: the second UAS"
    [ -z "$uas3" ] || wait_peer "$uas3" "$who: the third UAS"
    sleep "$SETTLE"
}

start_kamailio "$WORK/kamailio.cfg" udp 5060
call kamailio
stop_kamailio 5060
start_siphost "$WORK/proxy.cfg"
call siphost
stop_siphost

intended_lines calls "call_$scenario"
status=0 ACCEPTED=0
parts="uac uas"
[ -z "$UAS2" ] || parts="$parts uas2"
[ -z "$UAS3" ] || parts="$parts uas3"
for part in $parts; do
    compare_normalised sipp "$part" --once || status=1
done
compare_script_lines || status=1
[ "$status" = 0 ] || fail "$scenario: siphost's call differs from Kamailio's"
echo "PASS: $scenario: the peers received $(cat "$WORK"/siphost-*.txt | grep -c '^--$') messages and the script" \
    "logged $(wc -l < "$WORK/siphost.lines") lines alike on Kamailio and siphost, but for $ACCEPTED intended diff lines"
