#!/bin/sh
# siphost and Kamailio 5.6 (Debian's kamailio and kamailio-{sqlite,mysql,postgres}-modules) on one location
# table: Kamailio sees what siphost registered, and siphost sees what Kamailio registered. ENGINE picks the
# database: sqlite (default; usrloc db_mode 1 on both), or mysql / postgres (db_mode 3 on both, a throw-away
# MariaDB or PostgreSQL server from tests/modules/db/db_server.sh on PORT).
# Kamailio's db_sqlite stores datetimes as Julian days (REAL) and so does siphost's, and both read the path
# after the third slash of an sqlite:/// URL (an absolute path takes four).
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
ENGINE=${ENGINE:-sqlite}
KAMAILIO_MODULES=/usr/lib/x86_64-linux-gnu/kamailio/modules
DB_SERVER="$SOURCE_DIR/tests/modules/db/db_server.sh"
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio)"
SERVER_STARTED=""
stop_server() {
    [ -n "$SERVER_STARTED" ] && sh "$DB_SERVER" stop "$ENGINE" "$WORK/$ENGINE" "$PORT" > /dev/null 2>&1
    SERVER_STARTED=""
}
trap 'stop_server; cleanup' EXIT

case $ENGINE in
sqlite)
    [ -f "$KAMAILIO_MODULES/db_sqlite.so" ] || fail "Kamailio's db_sqlite is missing: install kamailio-sqlite-modules"
    DB="$WORK/kamailio.db"
    python3 - "$DB" /usr/share/kamailio/db_sqlite/standard-create.sql \
        /usr/share/kamailio/db_sqlite/usrloc-create.sql <<'PY' || fail "cannot create the database"
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for f in sys.argv[2:]:
    con.executescript(open(f).read())
con.commit()
PY
    URL="sqlite:///$DB" MODE=1 MODULE=db_sqlite DEFINE=WITH_SQLITE
    ;;
mysql | postgres)
    PORT=${PORT:?the port of the server}
    MODULE=db_$ENGINE MODE=3
    [ -f "$KAMAILIO_MODULES/$MODULE.so" ] || fail "Kamailio's $MODULE is missing: install kamailio-$ENGINE-modules"
    sh "$DB_SERVER" start "$ENGINE" "$WORK/$ENGINE" "$PORT" > "$WORK/server-start.txt" 2>&1 ||
        fail "the $ENGINE server did not start: $(cat "$WORK/server-start.txt")"
    SERVER_STARTED=1
    URL="$ENGINE://kamailio:kamailiorw@127.0.0.1:$PORT/kamailio"
    for f in standard-create.sql usrloc-create.sql; do
        if [ "$ENGINE" = mysql ]; then
            DEFINE=WITH_MYSQL
            mariadb --no-defaults -h 127.0.0.1 -P "$PORT" -u kamailio -pkamailiorw kamailio \
                < "/usr/share/kamailio/mysql/$f" > "$WORK/schema.log" 2>&1
        else
            DEFINE=WITH_PGSQL
            PGPASSWORD=kamailiorw psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U kamailio -d kamailio \
                -f "/usr/share/kamailio/postgres/$f" > "$WORK/schema.log" 2>&1
        fi || fail "cannot load Kamailio's $f (kamailio-$ENGINE-modules): $(cat "$WORK/schema.log")"
    done
    ;;
*) fail "unknown ENGINE $ENGINE" ;;
esac

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

sed "s|DBURL|\"$URL\"|; s|DBMODE|$MODE|" "$REG_DIR/cfg/registrar.cfg" > "$WORK/registrar.cfg"
sed "s|DBURL|$URL|; s|DBMODE|$MODE|; s|DBMODULE|$MODULE|" "$REG_DIR/cfg/kamailio-location.cfg" > "$WORK/kamailio.cfg"

start_siphost "$WORK/registrar.cfg" -A "$DEFINE"
expect_request "alice registers with siphost" 5071 REGISTER alice c-alice 1 200 \
    'Contact: <sip:alice@127.0.0.1:5080>;q=0.5
Expires: 600' '+sip:alice@127\.0\.0\.1:5080>;expires='
stop_siphost

start_kamailio
expect_request "Kamailio sees alice" 5071 OPTIONS alice c-o 1 200 ''
# (Kamailio writes q before expires, siphost after: either order.)
expect_request "Kamailio lists alice's binding as siphost stored it" 5071 REGISTER alice c-q 1 200 '' \
    '+sip:alice@127\.0\.0\.1:5080>;(q=0\.5;)?expires=(600|59[0-9])' '+sip:alice@127\.0\.0\.1:5080>;[a-z0-9=.;]*q=0\.5'
expect_request "bob registers with Kamailio" 5071 REGISTER bob c-bob 1 200 'Contact: <sip:bob@127.0.0.1:5081>;q=0.7
Expires: 900' '+sip:bob@127\.0\.0\.1:5081>;(q=0\.7;)?expires='
stop_kamailio
grep -q "ERROR" "$WORK/kamailio.log" && fail "Kamailio logged errors: $(grep ERROR "$WORK/kamailio.log" | head -3)"

mv "$WORK/siphost.log" "$WORK/siphost-first.log"
start_siphost "$WORK/registrar.cfg" -A "$DEFINE"
expect_request "siphost sees bob" 5071 OPTIONS bob c-o 2 200 ''
expect_request "siphost lists bob's binding as Kamailio stored it" 5071 REGISTER bob c-q 1 200 '' \
    '+sip:bob@127\.0\.0\.1:5081>;(q=0\.7;)?expires=(900|89[0-9])' '+sip:bob@127\.0\.0\.1:5081>;[a-z0-9=.;]*q=0\.7'
expect_request "alice refreshes with the Call-ID and a higher CSeq" 5071 REGISTER alice c-alice 2 200 \
    'Contact: <sip:alice@127.0.0.1:5080>;q=0.5
Expires: 600' '+sip:alice@127\.0\.0\.1:5080>;expires='
stop_siphost
stop_server
echo "PASS: siphost and Kamailio share the location table on $ENGINE"
