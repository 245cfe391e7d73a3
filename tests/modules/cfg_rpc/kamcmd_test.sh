# cfg_rpc through Debian's kamcmd and ctl: the core's run-time settings read, changed now, changed at commit,
# reset, and refused as Kamailio refuses them (the same "error: 400 - ..." lines kamcmd prints for Kamailio).
. "$SOURCE_DIR/tests/integration/lib.sh"

command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
SOCK="$WORK/ctl.sock"
cat > "$WORK/siphost.cfg" <<CFG
#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:5176
loadmodule "sl"
loadmodule "ctl"
loadmodule "cfg_rpc"
loadmodule "xlog"
modparam("ctl", "binrpc", "unix:$SOCK")
request_route {
    xdbg("a debug line for \$rm\n");
    sl_send_reply("404", "Not Here");
}
CFG
start_siphost "$WORK/siphost.cfg"
for _ in $(seq 1 200); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || fail "siphost did not create its control socket"

kam() { kamcmd -s "unix:$SOCK" "$@" < /dev/null 2>&1; }
# expect WHAT EXPECTED COMMAND...: kamcmd prints exactly EXPECTED.
expect() {
    what=$1 expected=$2; shift 2
    got=$(kam "$@")
    [ "$got" = "$expected" ] || fail "$what: kamcmd $* printed '$got', expected '$expected'"
}
options() { sipp -nostdin -sn uac -i 127.0.0.1 -p 5178 -m 1 -timeout 10s 127.0.0.1:5176 > /dev/null 2>&1; }

expect "the start-up level" 2 cfg.get core debug
expect "a read-only setting" 2 cfg.get core children
kam cfg.list | grep -q -x "core: debug" || fail "cfg.list does not list core: debug"
kam cfg.get core | grep -q "debug: 2" || fail "cfg.get core does not show the group"
kam cfg.help core debug | grep -q -x "(parameter type is integer)" || fail "cfg.help gives no type"

# Level 2 drops the script's debug line; level 3 set now lets the next one through.
options
grep -q "a debug line for" "$WORK/siphost.log" && fail "a debug line at debug=2"
expect "seti prints nothing" "" cfg.seti core debug 3
expect "the level after seti" 3 cfg.get core debug
grep -q "core.debug has been changed to 3" "$WORK/siphost.log" || fail "the change is not logged"
options
grep -q "a debug line for" "$WORK/siphost.log" || fail "no debug line after cfg.seti core debug 3"

# Delayed: nothing changes until commit; rollback drops.
expect "set_delayed prints nothing" "" cfg.set_delayed_int core debug 1
expect "delayed, not yet" 3 cfg.get core debug
kam cfg.diff | grep -q "new value: 1" || fail "cfg.diff does not show the prepared change"
kam cfg.commit > /dev/null
expect "after commit" 1 cfg.get core debug
kam cfg.set_delayed_int core debug 0 > /dev/null
kam cfg.rollback > /dev/null
kam cfg.commit > /dev/null
expect "after rollback" 1 cfg.get core debug
expect "a number in a string" "" cfg.sets core debug 3
expect "after sets" 3 cfg.get core debug
kam cfg.reset core > /dev/null
expect "after reset" 2 cfg.get core debug

# Refusals, in Kamailio's words.
expect "an unknown variable" "error: 400 - Failed to set the variable" cfg.seti core nosuch 1
expect "an unknown group" "error: 400 - Failed to set the variable" cfg.seti nogroup debug 1
expect "a read-only one" "error: 400 - Failed to set the variable" cfg.seti core children 4
expect "text for a number" "error: 400 - Failed to set the variable" cfg.sets core debug abc
expect "out of range" "error: 400 - Failed to set the variable" cfg.seti core debug 9
expect "reading an unknown one" "error: 400 - Failed to get the variable" cfg.get core nosuch
expect "still" 2 cfg.get core debug
stop_siphost
echo "PASS: cfg_rpc through kamcmd"
