# kex's, corex's and counters' RPC commands through kamcmd against Kamailio 5.6 (Debian's) and against
# siphost, each on its own control socket in this test's directory: the replies must have the same shapes once
# values are normalised (tests/modules/ctl/normalise.py). Accepted differences, with their reasons, are in
# known_differences.txt next to this script; any other difference fails.
. "$SOURCE_DIR/tests/integration/lib.sh"

command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio)"
KAM_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
[ -n "$KAM_MODULES" ] || fail "Kamailio's modules are not installed"
KAM_SOCK="$WORK/kamailio.sock"
SIP_SOCK="$WORK/siphost.sock"
KNOWN="$(dirname "$0")/known_differences.txt"

common() {
    cat <<CFG
modparam("counters", "script_counter", "foo")
modparam("counters", "script_counter", "test.bar bars seen")
request_route {
    cnt_inc("foo");
    cnt_add("test.bar", 3);
    sl_send_reply("200", "OK");
}
CFG
}
{
    printf '#!KAMAILIO\ndebug=2\nlog_stderror=yes\nchildren=2\nlisten=udp:127.0.0.1:5180\nmpath="%s/"\n' "$KAM_MODULES"
    printf 'loadmodule "ctl.so"\nloadmodule "sl.so"\nloadmodule "kex.so"\nloadmodule "corex.so"\n'
    printf 'loadmodule "counters.so"\nmodparam("ctl", "binrpc", "unix:%s")\n' "$KAM_SOCK"
    common
} > "$WORK/kamailio.cfg"
{
    printf '#!KAMAILIO\ndebug=2\nlog_stderror=yes\nchildren=2\nlisten=udp:127.0.0.1:5182\n'
    printf 'loadmodule "ctl"\nloadmodule "sl"\nloadmodule "kex"\nloadmodule "corex"\n'
    printf 'loadmodule "counters"\nmodparam("ctl", "binrpc", "unix:%s")\n' "$SIP_SOCK"
    common
} > "$WORK/siphost.cfg"

kamailio -f "$WORK/kamailio.cfg" -DD -E -Y "$WORK" -w "$WORK" -P "$WORK/kamailio.pid" > "$WORK/kamailio.log" 2>&1 &
KAM_PID=$!
PIDS="$PIDS $KAM_PID"
start_siphost "$WORK/siphost.cfg"
for _ in $(seq 1 200); do [ -S "$KAM_SOCK" ] && [ -S "$SIP_SOCK" ] && break; sleep 0.05; done
[ -S "$KAM_SOCK" ] || fail "Kamailio did not create its control socket"
[ -S "$SIP_SOCK" ] || fail "siphost did not create its control socket"

# The same traffic to both, so that the counters are not zero.
for port in 5180 5182; do
    sipp -nostdin -sn uac -i 127.0.0.1 -p 5184 -m 2 -r 10 -timeout 20s "127.0.0.1:$port" > "$WORK/uac-$port.log" 2>&1
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
    unknown=$(grep -v -x -F -f "$KNOWN" "$WORK/diff.txt")
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
tree|core.echo a 5
tree|core.prints a b
tree|core.printi 1 2
tree|core.pwd
tree|stats.fetch sl:200_replies
tree|stats.fetchn sl.200_replies
tree|stats.fetch no_such_statistic
tree|cnt.get script foo
tree|cnt.get test bar
tree|cnt.grp_get_all test
tree|cnt.get_vars script
tree|cnt.var_list test
tree|cnt.help test bar
tree|cnt.help script foo
tree|cnt.reset test bar
tree|cnt.get test bar
tree|corex.debug
tree|corex.debug 3
tree|corex.debug
tree|corex.debug 2
tree|cnt.get script nope
tree|cnt.grp_get_all nope
tree|cnt.var_list nope
tree|cnt.get
tree|core.printi z
tree|cnt.help sl nope
tree|stats.fetch
LIST

stop_siphost
[ "$differences" = 0 ] || fail "siphost's replies differ from Kamailio's in shape"
echo "PASS: kamcmd sees the same shapes of kex, corex and counters from siphost as from Kamailio 5.6"
