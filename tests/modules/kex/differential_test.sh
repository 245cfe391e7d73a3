# kex's, corex's and counters' RPC commands through kamcmd against Kamailio 5.6 (Debian's) and against
# siphost, each on its own control socket in this test's directory: the replies must have the same shapes once
# values are normalised (tests/modules/ctl/normalise.py). Accepted differences, with their reasons, are in
# known_differences.txt next to this script; any other difference fails.
. "$SOURCE_DIR/tests/integration/lib.sh"
. "$SOURCE_DIR/tests/modules/ctl/kamcmd_compare.sh"

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

start_both "$WORK/kamailio.cfg" "$WORK/siphost.cfg"

# The same traffic to both, so that the counters are not zero.
for port in 5180 5182; do
    sipp -nostdin -sn uac -i 127.0.0.1 -p 5184 -m 2 -r 10 -timeout 20s "127.0.0.1:$port" > "$WORK/uac-$port.log" 2>&1
done

compare_commands "$(dirname "$0")/known_differences.txt" <<'LIST'
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
