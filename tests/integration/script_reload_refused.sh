#!/bin/sh
# Hot reload refusals, through Debian's kamcmd (siphost.reload over ctl) and SIGHUP: a config with errors is
# refused with every diagnostic in the reply and the log; a new loadmodule, a changed modparam and a changed
# listen are refused with a precise sentence; after each refusal the running script still answers. Then a
# valid change is taken, and the new script answers.
. "$(dirname "$0")/lib.sh"

command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
PY=/usr/bin/python3

config() { # config REASON [extra lines before the route] [listen port]
    cat <<CFG
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:${3:-5060}
loadmodule "sl.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:$WORK/ctl.sock")
${2:-}
request_route { sl_send_reply("404", "$1"); }
CFG
}

# reason: the reason phrase siphost answers an OPTIONS with now.
reason() {
    $PY - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
msg = ("OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
       f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKreload{port}\r\n"
       "Max-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:probe@127.0.0.1>\r\n"
       "Call-ID: reload-probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
s.sendto(msg.encode(), ("127.0.0.1", 5060))
print(s.recv(65535).decode(errors="replace").split("\r\n")[0].split(" ", 2)[2])
PY
}

rpc_reload() {
    timeout 20 kamcmd -s "unix:$WORK/ctl.sock" siphost.reload > "$WORK/rpc.out" 2>&1
}

# refused NAME PATTERN...: the reload of the file in place was refused through kamcmd with every PATTERN in
# its reply, the log says so too, and the old script still answers.
refused() {
    name=$1; shift
    before=$(grep -c 'reload refused' "$WORK/siphost.log")
    rpc_reload # kamcmd exits 0 on a fault too: its reply tells
    grep -q "error: 500 - reload refused, the running script stays" "$WORK/rpc.out" ||
        fail "$name: unexpected reply: $(cat "$WORK/rpc.out")"
    for pattern in "$@"; do
        grep -q -F -- "$pattern" "$WORK/rpc.out" || fail "$name: the reply lacks '$pattern': $(cat "$WORK/rpc.out")"
        grep -q -F -- "$pattern" "$WORK/siphost.log" || fail "$name: the log lacks '$pattern'"
    done
    [ "$(grep -c 'reload refused' "$WORK/siphost.log")" -gt "$before" ] || fail "$name: no refusal in the log"
    [ "$(reason)" = "first" ] || fail "$name: the running script changed after a refused reload"
}

config first > "$WORK/reload.cfg"
start_siphost "$WORK/reload.cfg"
for _ in $(seq 1 100); do [ -S "$WORK/ctl.sock" ] && break; sleep 0.05; done
[ -S "$WORK/ctl.sock" ] || fail "no control socket"
[ "$(reason)" = "first" ] || fail "the first script does not answer"

# Two errors: both are in the reply and in the log, with their places.
cat > "$WORK/reload.cfg" <<CFG
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:5060
loadmodule "sl.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:$WORK/ctl.sock")
request_route {
    no_such_function();
    sl_send_reply("404");
}
CFG
refused "broken config" "$WORK/reload.cfg:9:5: error:" "no_such_function" "$WORK/reload.cfg:10:5: error:" \
    "2 error(s)"

config first 'loadmodule "textops.so"' > "$WORK/reload.cfg"
refused "new module" \
    "loadmodule \"textops.so\": a reload cannot load a module siphost is not running (running: sl, ctl); restart siphost to load it"

config first 'modparam("sl", "default_code", 500)' > "$WORK/reload.cfg"
refused "new modparam" 'modparam("sl", "default_code") is not in the running config'

config first "" 5062 > "$WORK/reload.cfg"
refused "changed listen" \
    "listen changed (running: udp:127.0.0.1:5060; new config: udp:127.0.0.1:5062): sockets are opened at start-up only; restart siphost to change them"

# SIGHUP with a broken config: refused in the log, siphost runs on with the old script.
config first 'children=' > "$WORK/reload.cfg"
before=$(grep -c 'reload refused' "$WORK/siphost.log")
kill -HUP "$SIPHOST_PID"
for _ in $(seq 1 200); do
    [ "$(grep -c 'reload refused' "$WORK/siphost.log")" -gt "$before" ] && break
    sleep 0.05
done
[ "$(grep -c 'reload refused' "$WORK/siphost.log")" -gt "$before" ] || fail "SIGHUP: no refusal logged"
kill -0 "$SIPHOST_PID" 2>/dev/null || fail "SIGHUP with a broken config stopped siphost"
[ "$(reason)" = "first" ] || fail "SIGHUP: the running script changed after a refused reload"

# A valid change is taken: kamcmd answers Ok, the new script answers; then SIGHUP takes another.
config second > "$WORK/reload.cfg"
rpc_reload || fail "the valid reload failed: $(cat "$WORK/rpc.out")"
grep -q "Ok. Script reloaded. config OK: 1 routes" "$WORK/rpc.out" || fail "reload reply: $(cat "$WORK/rpc.out")"
[ "$(reason)" = "second" ] || fail "the reloaded script does not answer"
config third > "$WORK/reload.cfg"
kill -HUP "$SIPHOST_PID"
for _ in $(seq 1 200); do [ "$(reason)" = "third" ] && break; sleep 0.05; done
[ "$(reason)" = "third" ] || fail "SIGHUP did not reload"
expect_log 'reloaded the routing script' 2
stop_siphost
echo "PASS: script reload refusals"
