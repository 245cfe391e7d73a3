#!/usr/bin/env bash
# bench/proxy/profile.sh BUILD_DIR [CALLS] [RATE]: where siphost spends its instructions in the proxy benchmark.
# Runs siphost under valgrind's callgrind on the benchmark config with a small sipp load (default 400 calls at
# 25 calls per second, since callgrind runs it some 50 times slower), then prints the functions with the most
# instructions, inclusive and exclusive. As root it runs in a private network namespace that only has loopback.
# (A stateless proxy passes INVITE retransmissions on: if callgrind is slow enough for sipp to retransmit, the
# UAS may count a few failed calls. The profile stays valid; lower the rate if it bothers you.)
# Overrides (environment): SIPHOST, SIPHOST_MODULES.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${1:-build}
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$PWD/$BUILD_DIR ;; esac
CALLS=${2:-400}
RATE=${3:-25}
SIPHOST=${SIPHOST:-$BUILD_DIR/siphost}
SIPHOST_MODULES=${SIPHOST_MODULES:-$BUILD_DIR/modules}
CONFIG=$ROOT/bench/proxy/seed-stateless-noxlog.cfg
OUT=$BUILD_DIR/bench/proxy/profile

die() { echo "profile.sh: $*" >&2; exit 1; }

if [ "${SIPHOST_BENCH_NETNS:-0}" != 1 ]; then
    command -v valgrind > /dev/null 2>&1 || die "needs valgrind (apt-get install valgrind)"
    command -v sipp > /dev/null 2>&1 || die "needs sipp (make deps)"
    [ -x "$SIPHOST" ] || die "no siphost binary at $SIPHOST"
    if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null 2>&1; then
        export SIPHOST_BENCH_NETNS=1
        exec unshare --net -- "$0" "$BUILD_DIR" "$CALLS" "$RATE"
    fi
else
    ip link set lo up || die "cannot bring up loopback"
fi

rm -rf "$OUT" && mkdir -p "$OUT" || die "cannot create $OUT"
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
    "$SIPHOST" -DD -E -L "$SIPHOST_MODULES" -f "$CONFIG" > "$OUT/siphost.log" 2>&1 &
proxy=$!
for _ in $(seq 1 300); do
    grep -q 'listening on' "$OUT/siphost.log" && break
    kill -0 "$proxy" 2> /dev/null || { cat "$OUT/siphost.log"; die "siphost did not start"; }
    sleep 0.1
done
(cd "$OUT" && exec timeout 120 sipp -sn uas -i 127.0.0.1 -p 5080 -nostdin -m "$CALLS" -timeout 90s \
    > "$OUT/uas.log" 2>&1) &
uas=$!
sleep 0.3
(cd "$OUT" && timeout 120 sipp -sn uac 127.0.0.1:5060 -i 127.0.0.1 -p 5070 -nostdin -m "$CALLS" -r "$RATE" \
    -timeout 90s > "$OUT/uac.log" 2>&1)
grep -E '^ *(Successful|Failed) call' "$OUT/uac.log" | tail -n 2
kill -INT "$proxy"
for _ in $(seq 1 200); do kill -0 "$proxy" 2> /dev/null || break; sleep 0.1; done
kill -KILL "$proxy" 2> /dev/null
kill -INT "$uas" 2> /dev/null
wait 2> /dev/null

# Instructions per call include start-up and shutdown; compare the functions, not the total, with a run.
echo "== exclusive (self) instructions, top 30 =="
callgrind_annotate --threshold=100 "$OUT/callgrind.out" 2> /dev/null | sed -n '/^Ir/,$p' | head -n 34
echo "== inclusive instructions, top 40 =="
callgrind_annotate --inclusive=yes --threshold=100 "$OUT/callgrind.out" 2> /dev/null | sed -n '/^Ir/,$p' |
    head -n 44
echo "(full data: $OUT/callgrind.out)"
