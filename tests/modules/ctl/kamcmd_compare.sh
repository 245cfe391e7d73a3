# The side-by-side harness of the kamcmd differential tests (ctl, kex, htable, ...): Kamailio 5.6 (Debian's)
# and siphost, each on its own control socket in the test's directory, asked the same kamcmd commands.
# Sourced after tests/integration/lib.sh. A test writes its two configs with $KAM_MODULES and the two sockets,
# calls start_both, then feeds compare_commands "MODE|command" lines (MODE as tests/modules/ctl/normalise.py
# takes it, or "same" for the raw replies).

command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio)"
KAM_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
[ -n "$KAM_MODULES" ] || fail "Kamailio's modules are not installed"
KAM_SOCK="$WORK/kamailio.sock"
SIP_SOCK="$WORK/siphost.sock"
differences=0

# start_both KAMAILIO_CFG SIPHOST_CFG: both running, both control sockets there.
start_both() {
    kamailio -f "$1" -DD -E -Y "$WORK" -w "$WORK" -P "$WORK/kamailio.pid" > "$WORK/kamailio.log" 2>&1 &
    PIDS="$PIDS $!"
    start_siphost "$2"
    for _ in $(seq 1 200); do [ -S "$KAM_SOCK" ] && [ -S "$SIP_SOCK" ] && break; sleep 0.05; done
    [ -S "$KAM_SOCK" ] || fail "Kamailio did not create its control socket"
    [ -S "$SIP_SOCK" ] || fail "siphost did not create its control socket"
}

# compare_commands [KNOWN_DIFFERENCES]: reads "MODE|command" lines on stdin and asks both. A diff line that
# KNOWN_DIFFERENCES names (grep -F -x: "command: -line" Kamailio has, "command: +line" siphost has) is accepted;
# any other sets differences=1 and is shown with both replies.
compare_commands() {
    known=${1:-/dev/null}
    while IFS='|' read -r mode command; do
        [ -z "$mode" ] && continue
        kamcmd -s "unix:$KAM_SOCK" $command < /dev/null > "$WORK/kam.out" 2>&1
        kamcmd -s "unix:$SIP_SOCK" $command < /dev/null > "$WORK/sip.out" 2>&1
        if [ "$mode" = same ]; then
            cp "$WORK/kam.out" "$WORK/kam.norm"
            cp "$WORK/sip.out" "$WORK/sip.norm"
        else
            python3 "$SOURCE_DIR/tests/modules/ctl/normalise.py" "$mode" "$WORK/kam.out" > "$WORK/kam.norm" ||
                fail "cannot normalise Kamailio's $command"
            python3 "$SOURCE_DIR/tests/modules/ctl/normalise.py" "$mode" "$WORK/sip.out" > "$WORK/sip.norm" ||
                fail "cannot normalise siphost's $command"
        fi
        diff -u "$WORK/kam.norm" "$WORK/sip.norm" | tail -n +3 | grep '^[-+]' | sed "s|^|$command: |" \
            > "$WORK/diff.txt"
        unknown=$(grep -v -x -F -f "$known" "$WORK/diff.txt")
        if [ -n "$unknown" ]; then
            echo "DIFFERENT: $command (- Kamailio, + siphost):"
            echo "$unknown"
            echo "  Kamailio said:"; sed 's/^/    /' "$WORK/kam.out" | head -n 30
            echo "  siphost said:"; sed 's/^/    /' "$WORK/sip.out" | head -n 30
            differences=1
        else
            echo "same: $command"
        fi
    done
}
