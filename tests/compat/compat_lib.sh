# Shared by the comparisons that run one config on Kamailio 5.6 and then on siphost, on the same ports, with the
# same peers (transports/transports.sh, calls/calls.sh): sourced after tests/integration/lib.sh.
PY=/usr/bin/python3 # Debian's, whatever python3 comes first on PATH
COMPAT_DIR="$SOURCE_DIR/tests/compat"

command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio): the comparison needs it"
KAM_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
[ -n "$KAM_MODULES" ] || fail "Kamailio's modules are not installed (Debian package kamailio)"

# kamailio_config CONFIG OUT: CONFIG as Kamailio runs it, with Debian's module path; siphost runs CONFIG as is.
kamailio_config() {
    sed "1a mpath=\"$KAM_MODULES/\"" "$1" > "$2"
}

# ports_free PORT...: true when nothing is bound to any of these ports on 127.0.0.1, UDP or TCP (Kamailio's
# children may outlive its main process).
ports_free() {
    ports=$(echo "$@" | tr ' ' '|')
    ! ss -Htuln 2>/dev/null | grep -q -E "127\.0\.0\.1:($ports)\b"
}

# wait_bound PROTO PORT PID: returns when a socket of PROTO (udp or tcp) is bound to 127.0.0.1:PORT; fails when
# PID is gone or 10 s passed.
wait_bound() {
    flag=-Huln; [ "$1" = tcp ] && flag=-Htln
    for _ in $(seq 1 200); do
        ss $flag 2>/dev/null | grep -q "127\.0\.0\.1:$2\b" && return 0
        kill -0 "$3" 2>/dev/null || fail "the process for $1 port $2 did not start: $(tail -n 20 "$WORK"/*.log)"
        sleep 0.05
    done
    fail "nothing bound $1 127.0.0.1:$2"
}

# start_kamailio CONFIG PROTO PORT: Kamailio in the foreground mode, logging to $WORK/kamailio.log; ready when
# PROTO PORT is bound. SERVER_PID is its pid.
start_kamailio() {
    kamailio -f "$1" -DD -E -Y "$WORK" -w "$WORK" -P "$WORK/kamailio.pid" > "$WORK/kamailio.log" 2>&1 &
    SERVER_PID=$!
    PIDS="$PIDS $SERVER_PID"
    wait_bound "$2" "$3" "$SERVER_PID"
}

# stop_kamailio PORT...: SIGINT, then wait until its processes let go of the ports.
stop_kamailio() {
    kill -INT "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 200); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 200); do ports_free "$@" && return 0; sleep 0.05; done
    fail "a port of $* is still bound after Kamailio stopped"
}

# intended_lines SECTION...: the accepted diff lines of these sections of INTENDED-DIFFERENCES.md ("- `-line`:
# reason" or "- `+line`: reason" under "## SECTION"), in $WORK/intended.txt.
intended_lines() {
    : > "$WORK/intended.txt"
    for section in "$@"; do
        sed -n "/^## $section\$/,/^## /p" "$COMPAT_DIR/INTENDED-DIFFERENCES.md" |
            sed -n 's/^- `\([-+].*\)`:.*$/\1/p' >> "$WORK/intended.txt"
    done
}

# compare_normalised MODE PART [normalise.py options]: what a peer received through Kamailio
# ($WORK/kamailio-PART.msg) against what it received through siphost ($WORK/siphost-PART.msg), after
# normalise.py; prints the diff and returns 1 when a line differs that $WORK/intended.txt does not list.
# ACCEPTED counts the accepted lines.
compare_normalised() {
    mode=$1 part=$2; shift 2
    for who in kamailio siphost; do
        $PY "$COMPAT_DIR/normalise.py" "$@" "$mode" "$WORK/$who-$part.msg" > "$WORK/$who-$part.txt" ||
            fail "$who: cannot read the messages of $part"
    done
    diff -u "$WORK/kamailio-$part.txt" "$WORK/siphost-$part.txt" > "$WORK/$part.diff"
    tail -n +3 "$WORK/$part.diff" | grep '^[-+]' > "$WORK/$part.lines"
    unknown=$(grep -v -x -F -f "$WORK/intended.txt" "$WORK/$part.lines")
    # (grep -c prints nothing when it has no pattern at all)
    accepted=$(grep -c -x -F -f "$WORK/intended.txt" "$WORK/$part.lines")
    ACCEPTED=$((${ACCEPTED:-0} + ${accepted:-0}))
    [ -z "$unknown" ] && return 0
    echo "DIFFERENT: what the $part received (- Kamailio, + siphost):"
    cat "$WORK/$part.diff"
    echo "not listed in INTENDED-DIFFERENCES.md:"
    echo "$unknown"
    return 1
}

# script_lines WHO: the lines WHO's script logged (xlog's "<script>: " lines, with the log_prefix before them if
# the config has one), in $WORK/WHO.lines, with sipp's Call-IDs made uniform. Kamailio runs lines that xlog
# ends without a newline together on one line: each is cut out up to the next log line's "N(pid) LEVEL:" prefix.
script_lines() {
    perl -ne 'while (/((?:\{[^{}]*\} )?<script>: .*?)\s*(?=\s\d+\(\d+\) [A-Z]+: |$)/g) { print "$1\n" }' \
        "$WORK/$1.log" | sed -E 's/\b[0-9]+-[0-9]+@127\.0\.0\.1\b/CALLID/g' > "$WORK/$1.lines"
}

# compare_script_lines: Kamailio's script lines against siphost's, in order; the differences must be listed in
# $WORK/intended.txt (ACCEPTED counts them). Returns 1 (after printing the diff) when they are not.
compare_script_lines() {
    script_lines kamailio
    script_lines siphost
    [ -s "$WORK/kamailio.lines" ] || fail "Kamailio's script logged nothing: $(tail -n 20 "$WORK/kamailio.log")"
    diff -u "$WORK/kamailio.lines" "$WORK/siphost.lines" > "$WORK/lines.diff" && return 0
    tail -n +3 "$WORK/lines.diff" | grep '^[-+]' > "$WORK/lines.lines"
    unknown=$(grep -v -x -F -f "$WORK/intended.txt" "$WORK/lines.lines")
    accepted=$(grep -c -x -F -f "$WORK/intended.txt" "$WORK/lines.lines")
    ACCEPTED=$((${ACCEPTED:-0} + ${accepted:-0}))
    [ -z "$unknown" ] && return 0
    echo "DIFFERENT: the script's lines (- Kamailio, + siphost):"
    cat "$WORK/lines.diff"
    return 1
}
