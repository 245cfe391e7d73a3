#!/bin/sh
# Scale-out across instances (issue 16, docs/scale-out.md), all on loopback in this test's network namespace:
# an edge siphost (dispatcher, round robin) in front of two siphost back-ends (registrar and proxy) that keep
# their location table only in one PostgreSQL server (usrloc db_mode 3). A UA registers through the edge and
# is reached by calls through the edge whichever back-end takes them; one back-end is killed in the middle of
# a run of calls: the edge fails new calls over to the other back-end (failure_route, ds_next_dst) and its
# probes mark the dead one down. A call whose dialog ran through the killed back-end (both proxies
# record-route) can lose its BYE; no call that starts after the kill is lost, and once the probes have marked
# the back-end down every call goes straight to the live one.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
HERE="$SOURCE_DIR/tests/integration/scaleout"
DB_SERVER="$SOURCE_DIR/tests/modules/db/db_server.sh"
PORT=${PORT:-35442}
SERVER_STARTED=""
stop_server() {
    [ -n "$SERVER_STARTED" ] && sh "$DB_SERVER" stop postgres "$WORK/postgres" "$PORT" > /dev/null 2>&1
    SERVER_STARTED=""
}
trap 'stop_server; cleanup' EXIT

sh "$DB_SERVER" start postgres "$WORK/postgres" "$PORT" > "$WORK/server-start.txt" 2>&1 ||
    fail "the PostgreSQL server did not start: $(cat "$WORK/server-start.txt")"
SERVER_STARTED=1
for f in standard-create.sql usrloc-create.sql; do
    PGPASSWORD=kamailiorw psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U kamailio -d kamailio \
        -f "/usr/share/kamailio/postgres/$f" > "$WORK/schema.log" 2>&1 ||
        fail "cannot load Kamailio's $f (kamailio-postgres-modules): $(cat "$WORK/schema.log")"
done
URL="postgres://kamailio:kamailiorw@127.0.0.1:$PORT/kamailio"

printf '1 sip:127.0.0.1:5061\n1 sip:127.0.0.1:5062\n' > "$WORK/dispatcher.list"
sed "s|DISPATCHER_LIST|$WORK/dispatcher.list|" "$HERE/edge.cfg" > "$WORK/edge.cfg"
for port in 5061 5062; do
    sed "s|DBURL|\"$URL\"|; s|PORT|$port|g" "$HERE/backend.cfg" > "$WORK/backend-$port.cfg"
done

# start NAME CONFIG UDP_PORT: a siphost logging to $WORK/NAME.log; sets STARTED_PID once the port is bound.
start() {
    "$SIPHOST" -DD -E -L "$MODULES" -f "$2" > "$WORK/$1.log" 2>&1 &
    STARTED_PID=$!
    PIDS="$PIDS $STARTED_PID"
    hex=$(printf ':%04X ' "$3")
    for _ in $(seq 1 200); do
        grep -q "$hex" /proc/net/udp 2>/dev/null && return 0
        kill -0 "$STARTED_PID" 2>/dev/null || fail "$1 did not start"
        sleep 0.05
    done
    fail "$1 does not listen on port $3"
}

start backend-5061 "$WORK/backend-5061.cfg" 5061
BACKEND_A=$STARTED_PID
start backend-5062 "$WORK/backend-5062.cfg" 5062
start edge "$WORK/edge.cfg" 5060
EDGE=$STARTED_PID

# The UA on port 5090 registers through the edge; both back-ends then find it in the shared table.
expect_request "the UA registers through the edge" 5091 REGISTER ua c-ua 1 200 'Contact: <sip:ua@127.0.0.1:5090>
Expires: 600' '+sip:ua@127\.0\.0\.1:5090>;expires='

# Four calls: round robin sends two to each back-end, and each finds the UA.
start_uas 5090 4 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml"
run_uac 127.0.0.1:5060 4 -r 10 -sf "$SOURCE_DIR/tests/modules/registrar/scenarios/call_uac.xml" -s ua ||
    fail "calls through the edge failed"
wait_uas || fail "the UA did not complete the calls"
for port in 5061 5062; do
    grep -q "backend $port routes INVITE" "$WORK/backend-$port.log" || fail "back-end $port took no call"
done

# failed_calls: the calls the last run_uac's sipp counted failed.
failed_calls() {
    grep -a "Failed call" "$WORK/uac.log" | tail -n 1 | awk -F'|' '{ gsub(/ /, "", $3); print $3 }'
}

# 20 calls at 10 per second; back-end 5061 is killed after about 1.2 s of them. Only a call whose dialog ran
# through 5061 when it died may fail (its BYE); the INVITEs sent to the dead back-end are failed over.
start_uas 5090 20 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml"
(sleep 1.2; kill -KILL "$BACKEND_A") &
KILLER=$!
run_uac 127.0.0.1:5060 20 -r 10 -sf "$SOURCE_DIR/tests/modules/registrar/scenarios/call_uac.xml" -s ua
wait "$KILLER"
lost=$(failed_calls)
[ -n "$lost" ] && [ "$lost" -le 2 ] || fail "$lost of 20 calls were lost while back-end 5061 died (at most 2 in flight)"
grep -q "failover of INVITE" "$WORK/edge.log" || fail "no INVITE was failed over to the live back-end"
for _ in $(seq 1 60); do grep -q "back-end down: sip:127.0.0.1:5061" "$WORK/edge.log" && break; sleep 0.1; done
grep -q "back-end down: sip:127.0.0.1:5061" "$WORK/edge.log" || fail "the edge's probes did not mark 5061 down"
kill -0 "$UAS_PID" 2>/dev/null && kill -INT "$UAS_PID" # it waits for the calls that lost their BYE

# After the failover time: 20 more calls, none lost, none failed over (5061 is skipped as down).
failovers=$(grep -c "failover of INVITE" "$WORK/edge.log")
start_uas 5090 20 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml"
run_uac 127.0.0.1:5060 20 -r 10 -sf "$SOURCE_DIR/tests/modules/registrar/scenarios/call_uac.xml" -s ua ||
    fail "calls were lost after the failover time ($(failed_calls) of 20)"
wait_uas || fail "the UA did not complete the 20 calls after the failover"
[ "$(grep -c "failover of INVITE" "$WORK/edge.log")" = "$failovers" ] ||
    fail "calls still went to the dead back-end after it was marked down"
kill -0 "$EDGE" 2>/dev/null || fail "the edge died"
SIPHOST_PID=$EDGE
stop_siphost
echo "PASS: scale-out: edge, two back-ends on one PostgreSQL location table, no call lost after the failover"
