# Helpers of the registrar's integration tests, on top of tests/integration/lib.sh: one REGISTER (or OPTIONS)
# per sipp run, written from the shell so that each test reads as a list of requests and expected replies.
. "$SOURCE_DIR/tests/integration/lib.sh"
REG_DIR="$SOURCE_DIR/tests/modules/registrar"
REG_N=0

# sip_request PORT METHOD USER CALLID CSEQ CODE HEADERS [CHECK...]: sends one request from PORT for
# sip:USER@127.0.0.1 with the extra HEADERS (lines, may be empty) and expects CODE. Each CHECK is "+REGEX"
# (the reply must match it) or "-REGEX" (must not). Returns sipp's status.
sip_request() {
    port=$1; method=$2; user=$3; callid=$4; cseq=$5; code=$6; headers=$7; shift 7
    REG_N=$((REG_N + 1))
    f="$WORK/req$REG_N.xml"
    {
        echo '<?xml version="1.0" encoding="ISO-8859-1" ?>'
        echo "<scenario name=\"request $REG_N\">"
        echo '<send retrans="500"><![CDATA['
        echo "$method sip:$user@127.0.0.1 SIP/2.0"
        echo 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]'
        echo "From: <sip:$user@127.0.0.1>;tag=f$REG_N"
        echo "To: <sip:$user@127.0.0.1>"
        echo "Call-ID: [call_id]"
        echo "CSeq: $cseq $method"
        echo 'Max-Forwards: 70'
        [ -n "$headers" ] && printf '%s\n' "$headers"
        echo 'Content-Length: 0'
        echo ''
        echo ']]></send>'
        echo "<recv response=\"$code\"><action>"
        i=0
        vars=""
        for check in "$@"; do
            i=$((i + 1))
            regex=$(printf '%s' "${check#?}" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g')
            case $check in
                +*) echo "<ereg regexp=\"$regex\" search_in=\"msg\" check_it=\"true\" assign_to=\"c$i\"/>" ;;
                -*) echo "<ereg regexp=\"$regex\" search_in=\"msg\" check_it_inverse=\"true\" assign_to=\"c$i\"/>" ;;
            esac
            vars="$vars${vars:+,}c$i"
        done
        echo '</action></recv>'
        [ -n "$vars" ] && echo "<Reference variables=\"$vars\"/>"
        echo '</scenario>'
    } > "$f"
    (cd "$WORK" && sipp -nostdin -i 127.0.0.1 -p "$port" -m 1 -cid_str "$callid" -timeout 20s -timeout_error -trace_err \
        -trace_msg -message_file "$WORK/req$REG_N-messages.log" -error_file "$WORK/req$REG_N-errors.log" \
        -sf "$f" 127.0.0.1:5060 > "$WORK/req$REG_N.out" 2>&1)
}

# expect_request DESCRIPTION ARGS...: sip_request, failing the test with the exchange when it does not go so.
expect_request() {
    what=$1; shift
    if ! sip_request "$@"; then
        echo "---- request $REG_N: $what"
        cat "$WORK/req$REG_N-messages.log" 2>/dev/null | tail -n 60
        cat "$WORK/req$REG_N-errors.log" 2>/dev/null | tail -n 20
        fail "$what"
    fi
}

# The side-by-side tests with Kamailio (reg_xavp.sh, reg_relay.sh): Debian's kamailio and its modules' directory.
require_kamailio() {
    command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio): the comparison needs it"
    KAM_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
    [ -n "$KAM_MODULES" ] || fail "Kamailio's modules are not installed"
}

# script_lines LOG: the script's lines of a server's log with every ruid replaced by R1, R2, ... in order of first
# appearance, and the servers' ports (5071 Kamailio, 5072 siphost) written PORT, so that the two compare.
script_lines() {
    sed -n 's/^.*<script>: //p' "$1" | sed 's/:507[12]\b/:PORT/g' | python3 -c '
import re, sys
names = {}
for line in sys.stdin:
    sys.stdout.write(re.sub(r"uloc-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+", lambda m: names.setdefault(m.group(0), "R%d" % (len(names) + 1)), line))'
}

# write_pair_configs CFG LISTEN_FORMAT: $WORK/kamailio.cfg (port 5071) and $WORK/siphost.cfg (port 5072) for a
# comparison: the same head, the listen lines (LISTEN_FORMAT, printf'd with the port twice), Kamailio's mpath,
# then the file CFG.
write_pair_configs() {
    for who in kamailio siphost; do
        port=5071; [ "$who" = siphost ] && port=5072
        { printf '#!KAMAILIO\ndebug=2\nlog_stderror=yes\nfork=no\nchildren=1\n'
          # shellcheck disable=SC2059 # the format is the caller's
          printf "$2" "$port" "$port"
          [ "$who" = kamailio ] && printf 'mpath="%s/"\n' "$KAM_MODULES"
          cat "$1"; } > "$WORK/$who.cfg"
    done
}

# run_client_on_both CLIENT OUT: Kamailio on $WORK/kamailio.cfg, then siphost on $WORK/siphost.cfg, each asked
# by `python3 CLIENT PORT`, whose output goes to $WORK/kamailio.OUT and $WORK/siphost.OUT (the servers' logs to
# $WORK/kamailio.log and $WORK/siphost.log).
run_client_on_both() {
    kamailio -f "$WORK/kamailio.cfg" -DD -E -w "$WORK" > "$WORK/kamailio.log" 2>&1 &
    KAM_PID=$!
    PIDS="$PIDS $KAM_PID"
    wait_port 5071 "$KAM_PID"
    python3 "$1" 5071 > "$WORK/kamailio.$2" 2>&1 ||
        fail "the requests to Kamailio failed: $(cat "$WORK/kamailio.$2")"
    kill -TERM "$KAM_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$KAM_PID" 2>/dev/null || break; sleep 0.05; done
    start_siphost "$WORK/siphost.cfg"
    python3 "$1" 5072 > "$WORK/siphost.$2" 2>&1 || fail "the requests to siphost failed: $(cat "$WORK/siphost.$2")"
    stop_siphost
}

# compare_pair OUT WHAT: what both scripts logged ($WORK/kamailio.lines, $WORK/siphost.lines) and what the client
# printed ($WORK/kamailio.OUT, $WORK/siphost.OUT) must be the same; else both differences are shown and the test
# fails, saying that siphost's WHAT.
compare_pair() {
    [ -s "$WORK/kamailio.lines" ] || fail "Kamailio logged nothing: $(tail -n 20 "$WORK/kamailio.log")"
    if ! diff -u "$WORK/kamailio.lines" "$WORK/siphost.lines" > "$WORK/lines.diff" ||
        ! diff -u "$WORK/kamailio.$1" "$WORK/siphost.$1" > "$WORK/$1.diff"; then
        echo "DIFFERENT (- Kamailio, + siphost):"
        cat "$WORK/lines.diff" "$WORK/$1.diff"
        fail "siphost's $2"
    fi
    echo "PASS: $(wc -l < "$WORK/siphost.lines") lines and $(wc -l < "$WORK/siphost.$1") $1 as Kamailio's"
}
