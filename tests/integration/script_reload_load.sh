#!/bin/sh
# Hot reload under load: 5000 calls at 200 calls per second through siphost (tm, two workers, sipp's stock UAC
# and UAS) while the routing script is reloaded 20 times, alternating two versions that log differently, half
# through Debian's kamcmd (siphost.reload over ctl) and half through SIGHUP. No call fails, every reload is
# taken, both versions handled traffic, and every message was handled whole by one version: each version
# logs two lines per message, part=1 in request_route and part=2 in the branch_route tm runs from t_relay (a
# second run within the message), so per message and version the parts pair up; a message that began on one
# version and went on on the other would leave a part=1 of one and a part=2 of the other. The versions' log
# prefixes differ too, and the prefix of every line must name the version that logged it.
. "$(dirname "$0")/lib.sh"

command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
calls=5000
rate=200
work=2000
reloads=20
# A sanitizer build (Debug, ASan) runs the script several times slower: at the same rate it is the machine that
# fails, not the reload. Half the rate and less work per message keep the same 20 reloads inside messages.
if grep -q __asan_init "$SIPHOST" 2>/dev/null; then calls=2500 rate=100 work=500; fi

version() { # version TAG: the config; the two versions differ only in the tag they log
    cat <<CFG
debug=2
log_stderror=yes
fork=no
children=2
listen=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "pv.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:$WORK/ctl.sock")
log_prefix="[$1] "
max_while_loops=3000
request_route {
    xlog("L_NOTICE", "RLT ver=$1 part=1 key=\$rm/\$ci/\$cs/\$hdr(Via)\n");
    # Some work between the two parts, so that reloads fall inside messages, not only between them.
    \$var(i) = 0;
    while (\$var(i) < $work) { \$var(i) = \$var(i) + 1; }
    record_route();
    if (is_method("ACK")) {
        xlog("L_NOTICE", "RLT ver=$1 part=2 key=\$rm/\$ci/\$cs/\$hdr(Via)\n");
    } else {
        t_on_branch("BRANCH");
    }
    route(RELAY);
}
# Run by tm from t_relay: a second run of the script within the same message.
branch_route[BRANCH] {
    xlog("L_NOTICE", "RLT ver=$1 part=2 key=\$rm/\$ci/\$cs/\$hdr(Via)\n");
}
route[RELAY] {
    t_on_reply("REPLY");
    t_relay_to_udp("127.0.0.1", "5080");
}
onreply_route[REPLY] {
    xlog("L_NOTICE", "RLT ver=$1 part=1 key=\$rs/\$ci/\$cs/\$hdr(Via)\n");
    append_hf("X-Version: $1\r\n");
    xlog("L_NOTICE", "RLT ver=$1 part=2 key=\$rs/\$ci/\$cs/\$hdr(Via)\n");
}
CFG
}

version A > "$WORK/A.cfg"
version B > "$WORK/B.cfg"
cp "$WORK/A.cfg" "$WORK/reload.cfg"
start_siphost "$WORK/reload.cfg"
for _ in $(seq 1 100); do [ -S "$WORK/ctl.sock" ] && break; sleep 0.05; done
[ -S "$WORK/ctl.sock" ] || fail "no control socket"

start_uas 5080 "$calls" -sn uas
run_uac 127.0.0.1:5060 "$calls" -sn uac -r "$rate" &
UAC=$!
PIDS="$PIDS $UAC"

# reloaded N: waits (bounded) until the log counts N successful reloads.
reloaded() {
    for _ in $(seq 1 200); do
        [ "$(grep -c 'reloaded the routing script' "$WORK/siphost.log")" -ge "$1" ] && return 0
        sleep 0.05
    done
    fail "reload $1 did not happen"
}

sleep 1
i=1
while [ $i -le $reloads ]; do
    if [ $((i % 2)) = 1 ]; then tag=B; else tag=A; fi
    # A new file in place of the old, as an editor saves it: the reload reads one whole version.
    cp "$WORK/$tag.cfg" "$WORK/next.cfg" && mv "$WORK/next.cfg" "$WORK/reload.cfg"
    if [ $((i % 4)) -lt 2 ]; then
        out=$(timeout 20 kamcmd -s "unix:$WORK/ctl.sock" siphost.reload 2>&1) ||
            fail "kamcmd siphost.reload $i failed: $out"
        echo "$out" | grep -q "Ok. Script reloaded" || fail "reload $i answered: $out"
    else
        kill -HUP "$SIPHOST_PID"
    fi
    reloaded $i
    kill -0 "$SIPHOST_PID" 2>/dev/null || fail "siphost is gone after reload $i"
    sleep 1
    i=$((i + 1))
done

wait "$UAC"
uac_status=$?
[ "$uac_status" = 0 ] || fail "calls failed during the reloads (sipp exit $uac_status)"
wait_uas || fail "the UAS did not complete every call"
stop_siphost

grep -q "Successful call.*| *$calls *$" "$WORK/uac.log" || fail "the UAC did not count $calls successful calls"
grep -q "Failed call.*| *0 *$" "$WORK/uac.log" || fail "the UAC counted failed calls"
expect_log 'reloaded the routing script' "$reloads"
expect_log 'reloading the routing script .*\(siphost.reload\)' $((reloads / 2))
expect_log 'reloading the routing script .*\(SIGHUP\)' $((reloads / 2))
expect_log 'reload refused' 0

# The log prefix (rendered by the core as the message arrives) names the same version as the line the
# script logs.
grep 'RLT ver=' "$WORK/siphost.log" | grep -v -E '\[A\] .*RLT ver=A|\[B\] .*RLT ver=B' > "$WORK/mixed.txt"
[ -s "$WORK/mixed.txt" ] && fail "$(wc -l < "$WORK/mixed.txt") lines whose prefix and script differ: $(head -3 "$WORK/mixed.txt")"
# Per message key and version, as many part=1 as part=2 lines (a retransmission is a message of its own,
# whole too); and both versions did handle calls.
grep -o 'RLT ver=[AB] part=[12] key=.*' "$WORK/siphost.log" > "$WORK/parts.txt"
lines=$(wc -l < "$WORK/parts.txt")
[ "$lines" -ge $((calls * 2 * 5)) ] || fail "only $lines script lines for $calls calls"
unpaired=$(awk '{ split($2, v, "="); split($3, p, "="); k = v[2] " " substr($0, index($0, "key="));
                 n[k] += (p[2] == 1 ? 1 : -1) }
               END { bad = 0; for (k in n) if (n[k] != 0) { bad++; if (bad <= 5) print "unpaired: " k > "/dev/stderr" }
                     print bad }' "$WORK/parts.txt")
[ "$unpaired" = 0 ] || fail "$unpaired messages were not handled whole by one version"
a=$(grep -c 'ver=A part=1' "$WORK/parts.txt")
b=$(grep -c 'ver=B part=1' "$WORK/parts.txt")
[ "$a" -gt 0 ] && [ "$b" -gt 0 ] || fail "version A handled $a messages and B $b: the reloads did not switch"
echo "PASS: script reload under load ($reloads reloads, $a messages on A, $b on B)"
