# The same kamcmd commands against Kamailio 5.6 (Debian's, with ctl, tm, sl and kex) and against siphost,
# each on its own control socket in this test's directory: the replies must have the same shapes once values
# (numbers, versions, times, names) are normalised. Known gaps of other modules are listed, with their reason,
# in known_differences.txt; any other difference fails.
. "$SOURCE_DIR/tests/integration/lib.sh"

command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio)"
KAM_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
[ -n "$KAM_MODULES" ] || fail "Kamailio's modules are not installed"
KAM_SOCK="$WORK/kamailio.sock"
SIP_SOCK="$WORK/siphost.sock"

cat > "$WORK/kamailio.cfg" <<CFG
#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:5170
mpath="$KAM_MODULES/"
loadmodule "ctl.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "kex.so"
modparam("ctl", "binrpc", "unix:$KAM_SOCK")
request_route { sl_send_reply("404", "Not Here"); }
CFG
cat > "$WORK/siphost.cfg" <<CFG
#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:5172
loadmodule "sl"
loadmodule "tm"
loadmodule "ctl"
modparam("ctl", "binrpc", "unix:$SIP_SOCK")
request_route { sl_send_reply("404", "Not Here"); }
CFG

kamailio -f "$WORK/kamailio.cfg" -DD -E -Y "$WORK" -w "$WORK" -P "$WORK/kamailio.pid" > "$WORK/kamailio.log" 2>&1 &
KAM_PID=$!
PIDS="$PIDS $KAM_PID"
start_siphost "$WORK/siphost.cfg"
for _ in $(seq 1 200); do [ -S "$KAM_SOCK" ] && [ -S "$SIP_SOCK" ] && break; sleep 0.05; done
[ -S "$KAM_SOCK" ] || fail "Kamailio did not create its control socket"
[ -S "$SIP_SOCK" ] || fail "siphost did not create its control socket"

# The same traffic to both, so that counters are not all zero.
for port in 5170 5172; do
    sipp -nostdin -sn uac -i 127.0.0.1 -p 5174 -m 2 -r 10 -timeout 20s "127.0.0.1:$port" > "$WORK/uac-$port.log" 2>&1
done

differences=0
while IFS='|' read -r shape command; do
    [ -z "$shape" ] && continue
    kamcmd -s "unix:$KAM_SOCK" $command < /dev/null > "$WORK/kam.out" 2>&1
    kamcmd -s "unix:$SIP_SOCK" $command < /dev/null > "$WORK/sip.out" 2>&1
    python3 "$SOURCE_DIR/tests/modules/ctl/normalise.py" "$shape" "$WORK/kam.out" > "$WORK/kam.norm" ||
        fail "cannot normalise Kamailio's $command"
    python3 "$SOURCE_DIR/tests/modules/ctl/normalise.py" "$shape" "$WORK/sip.out" > "$WORK/sip.norm" ||
        fail "cannot normalise siphost's $command"
    diff -u "$WORK/kam.norm" "$WORK/sip.norm" | tail -n +3 | grep '^[-+]' | sed "s|^|$command: |" > "$WORK/diff.txt"
    # Lines named in known_differences.txt (command: -line or +line) are accepted, every other one fails.
    unknown=$(grep -v -x -F -f "$SOURCE_DIR/tests/modules/ctl/known_differences.txt" "$WORK/diff.txt")
    if [ -n "$unknown" ]; then
        echo "DIFFERENT: $command (- Kamailio, + siphost):"
        echo "$unknown"
        echo "  Kamailio said:"; sed 's/^/    /' "$WORK/kam.out" | head -n 30
        echo "  siphost said:"; sed 's/^/    /' "$WORK/sip.out" | head -n 30
        differences=1
    else
        echo "same shape: $command"
    fi
done <<'LIST'
tree|core.uptime
tree|core.version
tree|core.info
tree|core.shmmem
tree|core.tcp_info
shapes|core.psx
pairs|core.ps
tree|sl.stats
tree|tm.stats
stats|stats.get_statistics sl:
stats|stats.get_statistics 404_replies
tree|stats.get_statistics
tree|stats.reset_statistics
tree|stats.reset_statistics 404_replies
tree|stats.get_statistics no_such_statistic
tree|system.methodHelp core.uptime
tree|system.methodHelp
tree|system.methodHelp no.such
tree|no.such_command
LIST

# system.listMethods: one name a line on both, and every command siphost serves that Kamailio also has is in
# both lists (Kamailio has many siphost does not serve yet: dns.*, cfg.*, ...).
kamcmd -s "unix:$KAM_SOCK" system.listMethods > "$WORK/kam.methods" || fail "Kamailio's system.listMethods"
kamcmd -s "unix:$SIP_SOCK" system.listMethods > "$WORK/sip.methods" || fail "siphost's system.listMethods"
grep -Ev '^[A-Za-z0-9_]+\.[A-Za-z0-9_.]+$' "$WORK/sip.methods" && fail "siphost's system.listMethods has a line that is not a method name"
for m in core.uptime core.version core.ps core.psx core.info core.shmmem core.tcp_info system.listMethods \
         system.methodHelp system.methodSignature sl.stats tm.stats stats.get_statistics stats.reset_statistics \
         stats.clear_statistics ctl.listen ctl.connections; do
    grep -qx "$m" "$WORK/kam.methods" || fail "Kamailio does not list $m: the comparison is out of date"
    grep -qx "$m" "$WORK/sip.methods" || { echo "DIFFERENT: siphost does not list $m"; differences=1; }
done

stop_siphost
[ "$differences" = 0 ] || fail "siphost's replies differ from Kamailio's in shape"
echo "PASS: kamcmd sees the same shapes from siphost as from Kamailio 5.6"
