#!/bin/sh
# One config, two servers: Kamailio 5.6 (Debian's) and siphost run the same scenario config, each on its own
# port inside this test's network namespace, and receive the same requests (tests/compat/send.py). The lines
# the scripts log (xlog's "<script>: " lines, in order) must be the same, except the lines listed for this
# scenario in INTENDED-DIFFERENCES.md, each with its reason.
# usage (through tests/integration/in_netns.sh): compat.sh SCENARIO   (a file under tests/compat/scenarios)
. "$SOURCE_DIR/tests/integration/lib.sh"
scenario=${COMPAT_SCENARIO:?scenario name}
CFG="$SOURCE_DIR/tests/compat/scenarios/$scenario.cfg"
[ -f "$CFG" ] || fail "no scenario $CFG"
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio): the comparison needs it"
KAM_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
[ -n "$KAM_MODULES" ] || fail "Kamailio's modules are not installed"

# The scenario's listen line is written here: Kamailio on 5071, siphost on 5072.
for who in kamailio siphost; do
    port=5071; [ "$who" = siphost ] && port=5072
    { printf '#!KAMAILIO\ndebug=2\nlog_stderror=yes\nchildren=1\nlisten=udp:127.0.0.1:%s\n' "$port"
      [ "$who" = kamailio ] && printf 'mpath="%s/"\n' "$KAM_MODULES"
      cat "$CFG"; } > "$WORK/$who.cfg"
done

kamailio -f "$WORK/kamailio.cfg" -DD -E -Y "$WORK" -w "$WORK" -P "$WORK/kamailio.pid" > "$WORK/kamailio.log" 2>&1 &
KAM_PID=$!
PIDS="$PIDS $KAM_PID"
start_siphost "$WORK/siphost.cfg"
wait_port 5071 "$KAM_PID"

# A scenario may ask for more requests with a line "# send: NAME" (see send.py).
extra=$(sed -n 's/^# send: \([a-z]*\)$/\1/p' "$CFG")
python3 "$SOURCE_DIR/tests/compat/send.py" 5071 $extra > "$WORK/kamailio.replies" 2>&1 || fail "Kamailio did not answer: $(cat "$WORK/kamailio.replies")"
python3 "$SOURCE_DIR/tests/compat/send.py" 5072 $extra > "$WORK/siphost.replies" 2>&1 || fail "siphost did not answer: $(cat "$WORK/siphost.replies")"
sleep 0.2
stop_siphost

for who in kamailio siphost; do
    sed -n 's/^.*<script>: //p' "$WORK/$who.log" > "$WORK/$who.lines"
done
[ -s "$WORK/kamailio.lines" ] || fail "Kamailio logged nothing for $scenario: $(tail -n 20 "$WORK/kamailio.log")"
# Accepted differences: the lines under "## SCENARIO" in INTENDED-DIFFERENCES.md that start with "- `-" or
# "- `+" (the diff line between backquotes), each followed by its reason.
sed -n "/^## $scenario\$/,/^## /p" "$SOURCE_DIR/tests/compat/INTENDED-DIFFERENCES.md" |
    sed -n 's/^- `\([-+].*\)`:.*$/\1/p' > "$WORK/intended.txt"
diff -u "$WORK/kamailio.lines" "$WORK/siphost.lines" | tail -n +3 | grep '^[-+]' > "$WORK/diff.txt"
unknown=$(grep -v -x -F -f "$WORK/intended.txt" "$WORK/diff.txt")
diff -u "$WORK/kamailio.replies" "$WORK/siphost.replies" > "$WORK/replies.diff" ||
    { echo "DIFFERENT replies (- Kamailio, + siphost):"; cat "$WORK/replies.diff"; unknown="$unknown replies"; }
if [ -n "$unknown" ]; then
    echo "DIFFERENT (- Kamailio, + siphost):"
    echo "$unknown"
    fail "$scenario: siphost's script does not behave as Kamailio's"
fi
echo "PASS: $scenario: $(wc -l < "$WORK/siphost.lines") lines as Kamailio logs them"
