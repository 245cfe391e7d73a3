#!/bin/sh
# siphost and Kamailio 5.6 (Debian's kamailio, kamailio-sqlite-modules) on one SQLite location table, usrloc
# db_mode 1 on both: Kamailio sees what siphost registered, and siphost sees what Kamailio registered.
# Not registered with CTest yet: Kamailio 5.6's db_sqlite stores datetimes as Julian day numbers (REAL, as
# SQLite's julianday()), and siphost's db_sqlite writes text and reads a number as seconds since 1970, so
# each side sees the other's contacts as long expired. Add it to CMakeLists.txt once db_sqlite agrees.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
SQL=/usr/share/kamailio/db_sqlite
KAMAILIO_MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio)"
[ -f "$KAMAILIO_MODULES/db_sqlite.so" ] || fail "Kamailio's db_sqlite is missing: install kamailio-sqlite-modules"
DB="$WORK/kamailio.db"
python3 - "$DB" "$SQL/standard-create.sql" "$SQL/usrloc-create.sql" <<'PY' || fail "cannot create the database"
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for f in sys.argv[2:]:
    con.executescript(open(f).read())
con.commit()
PY

start_kamailio() {
    kamailio -f "$WORK/kamailio.cfg" -DD -E -w "$WORK" > "$WORK/kamailio.log" 2>&1 &
    KAMAILIO_PID=$!
    PIDS="$PIDS $KAMAILIO_PID"
    wait_port 5060 "$KAMAILIO_PID"
}
stop_kamailio() {
    kill -TERM "$KAMAILIO_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$KAMAILIO_PID" 2>/dev/null || return 0; sleep 0.05; done
    fail "kamailio did not stop"
}

sed "s|DBURL|\"sqlite://$DB\"|; s|DBMODE|1|" "$REG_DIR/cfg/registrar.cfg" > "$WORK/registrar.cfg"
sed "s|DBPATH|$DB|" "$REG_DIR/cfg/kamailio-location.cfg" > "$WORK/kamailio.cfg"

start_siphost "$WORK/registrar.cfg" -A WITH_SQLITE
expect_request "alice registers with siphost" 5071 REGISTER alice c-alice 1 200 \
    'Contact: <sip:alice@127.0.0.1:5080>;q=0.5
Expires: 600' '+sip:alice@127\.0\.0\.1:5080>;expires='
stop_siphost

start_kamailio
expect_request "Kamailio sees alice" 5071 OPTIONS alice c-o 1 200 ''
expect_request "Kamailio lists alice's binding as siphost stored it" 5071 REGISTER alice c-q 1 200 '' \
    '+sip:alice@127\.0\.0\.1:5080>;expires=(600|59[0-9]);q=0\.5'
expect_request "bob registers with Kamailio" 5071 REGISTER bob c-bob 1 200 'Contact: <sip:bob@127.0.0.1:5081>;q=0.7
Expires: 900' '+sip:bob@127\.0\.0\.1:5081>;expires='
stop_kamailio
grep -q "ERROR" "$WORK/kamailio.log" && fail "Kamailio logged errors: $(grep ERROR "$WORK/kamailio.log" | head -3)"

mv "$WORK/siphost.log" "$WORK/siphost-first.log"
start_siphost "$WORK/registrar.cfg" -A WITH_SQLITE
expect_request "siphost sees bob" 5071 OPTIONS bob c-o 2 200 ''
expect_request "siphost lists bob's binding as Kamailio stored it" 5071 REGISTER bob c-q 1 200 '' \
    '+sip:bob@127\.0\.0\.1:5081>;expires=(900|89[0-9]);q=0\.7'
expect_request "alice refreshes with the Call-ID and a higher CSeq" 5071 REGISTER alice c-alice 2 200 \
    'Contact: <sip:alice@127.0.0.1:5080>;q=0.5
Expires: 600' '+sip:alice@127\.0\.0\.1:5080>;expires='
stop_siphost
echo "PASS: siphost and Kamailio share the location table"
