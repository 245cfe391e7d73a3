#!/bin/sh
# Kamailio's command line runs siphost: the options a service file passes (-P, -G, -m, -M, -u, -g, -w), the
# ones that stand for config statements (-l adds a listen address, -T turns TCP off, --substdef substitutes in
# the config, --modparam sets a module parameter after the config's), --cfg-print, and a bad --modparam reported at "<command line>".
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || fail "python3 is not installed"
cat > "$WORK/cmdline.cfg" <<'CFG'
#!KAMAILIO
debug=2
log_stderror=yes
listen=udp:127.0.0.1:5070
children=1
loadmodule "sl"
loadmodule "xlog"
request_route {
    xlog("L_NOTICE", "GREETING from $si\n");
    sl_send_reply("200", "OK");
}
CFG

# --cfg-print: the preprocessed config, the command line's statements first.
"$SIPHOST" --cfg-print -f "$WORK/cmdline.cfg" -l udp:127.0.0.1:5071 --substdef=/GREETING/hello/ > "$WORK/printed.cfg" 2> "$WORK/print.log" ||
    fail "--cfg-print failed: $(cat "$WORK/print.log")"
head -n 1 "$WORK/printed.cfg" | grep -qx 'listen=udp:127.0.0.1:5071' || fail "--cfg-print does not start with -l's listen"
grep -q 'xlog("L_NOTICE", "hello from' "$WORK/printed.cfg" || fail "--cfg-print did not apply --substdef"

# A bad --modparam is an error at its place on the command line.
if "$SIPHOST" -c -L "$MODULES" -f "$WORK/cmdline.cfg" --modparam=xlog:no_such_param:s:x > "$WORK/check.log" 2>&1; then
    fail "siphost -c accepted --modparam=xlog:no_such_param"
fi
grep -q '<command line>:1' "$WORK/check.log" || fail "the bad --modparam is not placed on the command line: $(cat "$WORK/check.log")"
grep -q 'no_such_param' "$WORK/check.log" || fail "the bad --modparam is not named: $(cat "$WORK/check.log")"

# Started as Debian's kamailio.service starts Kamailio, plus -l, -T, --modparam, -w, -u and -g.
chmod 755 "$WORK"
mkdir -p "$WORK/run" "$WORK/wd"
chown nobody "$WORK/run"
nogroup=$(getent group nogroup > /dev/null && echo nogroup || echo nobody)
start_siphost "$WORK/cmdline.cfg" -P "$WORK/run/siphost.pid" -G "$WORK/run/siphost.pgid" -m 64 -M 8 \
    -l udp:127.0.0.1:5071 -T --substdef=/GREETING/hello/ --modparam=xlog:prefix:s:"cmdline: " -w "$WORK/wd" -u nobody -g "$nogroup"
for _ in $(seq 1 100); do [ -s "$WORK/run/siphost.pid" ] && break; sleep 0.05; done
[ "$(cat "$WORK/run/siphost.pid")" = "$SIPHOST_PID" ] || fail "the pid file does not hold siphost's pid"
[ "$(cat "$WORK/run/siphost.pgid")" = "$(ps -o pgid= -p "$SIPHOST_PID" | tr -d ' ')" ] ||
    fail "the pgid file does not hold siphost's process group"
uid=$(awk '/^Uid:/ { print $3 }' "/proc/$SIPHOST_PID/status")
[ "$uid" = "$(id -u nobody)" ] || fail "siphost runs as uid $uid, not as nobody"
gid=$(awk '/^Gid:/ { print $3 }' "/proc/$SIPHOST_PID/status")
[ "$gid" = "$(getent group "$nogroup" | cut -d: -f3)" ] || fail "siphost runs as gid $gid, not as $nogroup"
[ "$(readlink "/proc/$SIPHOST_PID/cwd")" = "$WORK/wd" ] || fail "siphost's working directory is not -w's"
expect_log 'command line -m 64: siphost has no fixed-size shared memory pool' 1
expect_log 'command line -M 8: siphost has no fixed-size private memory pool' 1
ss -Huln "sport = :5070" | grep -q . || fail "the config's listen address is not bound"
ss -Huln "sport = :5071" | grep -q . || fail "-l's listen address is not bound"
ss -Htln | grep -q . && fail "siphost listens on TCP despite -T"

python3 - <<'PY' || fail "no answer to an OPTIONS on -l's address"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 5072))
s.settimeout(5)
s.sendto(b"OPTIONS sip:x@127.0.0.1:5071 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5072;branch=z9hG4bK-cmdline\r\n"
         b"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: cmdline-1\r\nCSeq: 1 OPTIONS\r\n"
         b"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", ("127.0.0.1", 5071))
reply = s.recv(4096)
assert reply.startswith(b"SIP/2.0 200"), reply
PY
expect_log 'cmdline: hello from 127.0.0.1' 1
stop_siphost
[ -e "$WORK/run/siphost.pid" ] && fail "siphost left its pid file behind"
echo "PASS: Kamailio's command line"
