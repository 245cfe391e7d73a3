#!/bin/sh
# A transaction in flight across a reload: version A arms t_on_reply("R") and t_on_failure("F") and relays an
# INVITE; the UAS rings, and while it waits before its 486 the script is reloaded (kamcmd siphost.reload) to
# version B. The 486 then runs B's onreply_route[R] and failure_route[F] (route ids name a type and a name, so
# an armed route runs the new script's block of that name), the UAC gets the 486, and A's blocks never see it.
. "$(dirname "$0")/lib.sh"

command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"

version() {
    cat <<CFG
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "xlog.so"
loadmodule "pv.so"
loadmodule "tmx.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:$WORK/ctl.sock")
request_route {
    if (\$rm == "ACK") { t_relay(); exit; }
    t_on_reply("R");
    t_on_failure("F");
    t_relay_to_udp("127.0.0.1", "5080");
}
onreply_route[R] { xlog("L_NOTICE", "version $1 onreply_route[R] \$rs\n"); }
failure_route[F] { xlog("L_NOTICE", "version $1 failure_route[F] \$T_reply_code\n"); }
CFG
}

version A > "$WORK/reload.cfg"
sed 's/CODE_HERE/486/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_486.xml"
# The UAS waits 3 s between its 180 and its 486: the reload happens in between.
sed 's|^  <send retrans="500">|  <pause milliseconds="3000"/>\n  <send retrans="500">|' \
    "$SOURCE_DIR/tests/integration/scenarios/tm_uas_busy.xml" > "$WORK/uas_slow_busy.xml"
grep -q '<pause milliseconds="3000"/>' "$WORK/uas_slow_busy.xml" || fail "the test could not edit the UAS scenario"

start_siphost "$WORK/reload.cfg"
start_uas 5080 1 -sf "$WORK/uas_slow_busy.xml"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_486.xml" &
UAC=$!
PIDS="$PIDS $UAC"
for _ in $(seq 1 200); do grep -q 'version A onreply_route\[R\] 180' "$WORK/siphost.log" && break; sleep 0.05; done
grep -q 'version A onreply_route\[R\] 180' "$WORK/siphost.log" || fail "the 180 did not reach version A's onreply_route"
version B > "$WORK/reload.cfg"
out=$(timeout 20 kamcmd -s "unix:$WORK/ctl.sock" siphost.reload 2>&1)
echo "$out" | grep -q "Ok. Script reloaded" || fail "the reload was not taken: $out"
wait "$UAC" || fail "the UAC did not get the 486"
wait_uas || fail "the UAS did not get siphost's ACK"
stop_siphost

expect_log 'version A onreply_route\[R\] 180' 1
expect_log 'version B onreply_route\[R\] 486' 1
expect_log 'version B failure_route\[F\] 486' 1
expect_log 'version A onreply_route\[R\] 486' 0
expect_log 'version A failure_route' 0
echo "PASS: a transaction armed before a reload ends on the new script's routes of the same names"
