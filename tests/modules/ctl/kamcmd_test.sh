# Debian's kamcmd against siphost's ctl module: the core commands, tm's and sl's, the statistics, a fault,
# the socket's owner-only mode, a malformed packet (answered or dropped, siphost keeps serving), and the
# other transports (unix datagram, TCP, UDP).
. "$SOURCE_DIR/tests/integration/lib.sh"

command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
SOCK="$WORK/ctl.sock"
cat > "$WORK/siphost.cfg" <<CFG
#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=udp:127.0.0.1:5160
loadmodule "sl"
loadmodule "tm"
loadmodule "ctl"
modparam("ctl", "binrpc", "unix:$SOCK")
modparam("ctl", "binrpc", "unixd:$WORK/ctl.dgram")
modparam("ctl", "binrpc", "tcp:127.0.0.1:2046")
modparam("ctl", "binrpc", "udp:127.0.0.1:2047")
request_route {
    sl_send_reply("404", "Not Here");
}
CFG
start_siphost "$WORK/siphost.cfg"
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || fail "ctl did not create $SOCK"

kc() { timeout 10 kamcmd -s "unix:$SOCK" "$@"; }

mode=$(stat -c %a "$SOCK")
[ "$mode" = 600 ] || fail "the control socket is mode $mode, not owner-only 600"

out=$(kc core.uptime) || fail "core.uptime: $out"
echo "$out" | grep -q "^	now: " || fail "core.uptime has no now: $out"
echo "$out" | grep -q "^	up_since: " || fail "core.uptime has no up_since: $out"
echo "$out" | grep -Eq "^	uptime: [0-9]+$" || fail "core.uptime has no uptime: $out"

out=$(kc core.version) || fail "core.version: $out"
echo "$out" | grep -Eq "^siphost [0-9.]+ \([a-z0-9_]+/linux\)$" || fail "core.version: $out"

out=$(kc system.listMethods) || fail "system.listMethods: $out"
for m in core.uptime core.ps tm.stats sl.stats stats.get_statistics system.methodHelp ctl.listen; do
    echo "$out" | grep -qx "$m" || fail "system.listMethods lacks $m: $out"
done
out=$(kc system.methodHelp core.uptime)
[ "$out" = "Returns uptime of SIP server." ] || fail "system.methodHelp core.uptime: $out"
out=$(kc system.methodHelp)
[ "$out" = "error: 400 - Method Name Expected" ] || fail "system.methodHelp without a name: $out"

# Traffic first, so that the counters have something to show.
sipp -nostdin -sn uac -i 127.0.0.1 -p 5161 -m 3 -r 10 -timeout 20s 127.0.0.1:5160 > "$WORK/uac.log" 2>&1
out=$(kc sl.stats) || fail "sl.stats: $out"
echo "$out" | grep -Eq "^	404: 3$" || fail "sl.stats does not count the three 404s: $out"
out=$(kc tm.stats) || fail "tm.stats: $out"
for k in current waiting total total_local rpl_received rpl_generated rpl_sent 6xx 5xx 4xx 3xx 2xx created freed; do
    echo "$out" | grep -Eq "^	$k: [0-9]+$" || fail "tm.stats lacks $k: $out"
done

out=$(kc stats.get_statistics all) || fail "stats.get_statistics all: $out"
echo "$out" | grep -Eq "^sl:[a-z0-9_]+ = [0-9]+$" || fail "stats.get_statistics all shows no sl statistic: $out"
first=$(echo "$out" | head -n 1 | sed 's/ = .*//')
name=${first#*:}
group=${first%%:*}
out=$(kc stats.get_statistics "$group:") || fail "stats.get_statistics $group:: $out"
echo "$out" | grep -v "^$group:" | grep -q . && fail "stats.get_statistics $group: shows other groups: $out"
out=$(kc stats.get_statistics "$name") || fail "stats.get_statistics $name: $out"
echo "$out" | grep -q "^$group:$name = " || fail "stats.get_statistics $name: $out"
out=$(kc stats.get_statistics)
[ "$out" = "error: 400 - Please provide which stats to retrieve" ] || fail "stats.get_statistics without an argument: $out"

out=$(kc no.such_command)
[ "$out" = "error: 500 - command no.such_command not found" ] || fail "unknown method: $out"

out=$(kc core.psx) || fail "core.psx: $out"
echo "$out" | grep -q "DSC: main process - attendant" || fail "core.psx: $out"
echo "$out" | grep -q "DSC: udp receiver child=1" || fail "core.psx names no worker: $out"
out=$(kc core.shmmem) || fail "core.shmmem: $out"
for k in total free used real_used max_used fragments; do
    echo "$out" | grep -Eq "^	$k: [0-9]+$" || fail "core.shmmem lacks $k: $out"
done

# A malformed packet (a huge announced body) is refused and the connection closed; siphost keeps serving.
python3 - "$SOCK" <<'PY' || fail "the malformed packet was not refused"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(bytes([0xA1, 0x0F, 0x7F, 0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x03, 0x04]))
reply = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    reply += d
assert reply[:1] == b"\xa1" and reply[1] >> 4 == 3, reply  # a fault, then the close
PY
out=$(kc core.version) || fail "siphost stopped answering after a malformed packet: $out"

# The other transports.
out=$(timeout 10 kamcmd -s "unixd:$WORK/ctl.dgram" core.version) || fail "unix datagram: $out"
echo "$out" | grep -q "^siphost " || fail "unix datagram: $out"
out=$(timeout 10 kamcmd -s tcp:127.0.0.1:2046 core.version) || fail "tcp: $out"
echo "$out" | grep -q "^siphost " || fail "tcp: $out"
out=$(timeout 10 kamcmd -s udp:127.0.0.1:2047 core.version) || fail "udp: $out"
echo "$out" | grep -q "^siphost " || fail "udp: $out"

stop_siphost
[ -e "$SOCK" ] && fail "the control socket was not removed at shutdown"
echo "PASS: kamcmd drives siphost over ctl"
