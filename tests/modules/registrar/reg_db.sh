#!/bin/sh
# usrloc's db_mode DB_MODE (1 write-through, 2 write-back, 3 database only) on SQLite, in Kamailio's own
# `location` table (created with the SQL of Debian's kamailio-sqlite-modules): a row already in the table is
# read, registrations reach the table, an unregistered contact and an expired one leave it, and a restart
# keeps the registrations. (reg_kamailio.sh runs Kamailio itself on the same table.)
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
MODE=${DB_MODE:?db_mode to test}
SQL=/usr/share/kamailio/db_sqlite
[ -f "$SQL/usrloc-create.sql" ] || fail "Kamailio's SQLite schema is missing: install kamailio-sqlite-modules"
DB="$WORK/kamailio.db"

sql() {
    python3 - "$DB" "$1" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
rows = con.execute(sys.argv[2]).fetchall()
con.commit()
for r in rows:
    print("|".join("" if v is None else str(v) for v in r))
PY
}
python3 - "$DB" "$SQL/standard-create.sql" "$SQL/usrloc-create.sql" <<'PY' || fail "cannot create the database"
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for f in sys.argv[2:]:
    con.executescript(open(f).read())
# A contact as Kamailio 5.6 writes it: datetimes as Julian days (REAL), q as a real.
con.execute("INSERT INTO location (ruid, username, contact, expires, q, callid, cseq, last_modified, flags,"
            " cflags, user_agent, methods, reg_id) VALUES ('uloc-kam-1', 'kam', 'sip:kam@127.0.0.1:5086',"
            " julianday('now', '+1 hour'), 0.8, 'kam-callid', 7, julianday('now'), 0, 0,"
            " 'kamailio (5.6.3 (x86_64/linux))', 8191, 0)")
con.commit()
PY

sed "s|DBURL|\"sqlite:///$DB\"|; s|DBMODE|$MODE|" "$REG_DIR/cfg/registrar.cfg" > "$WORK/registrar.cfg"
start_siphost "$WORK/registrar.cfg" -A WITH_SQLITE
expect_request "the contact already in the table is registered" 5071 OPTIONS kam c-o 1 200 ''
expect_request "alice registers two contacts" 5071 REGISTER alice c-alice 1 200 \
    'Contact: <sip:alice@127.0.0.1:5080>;q=0.5, <sip:alice@127.0.0.1:5081>
User-Agent: sipp-test
Expires: 600' '+sip:alice@127\.0\.0\.1:5080>;expires=' '+sip:alice@127\.0\.0\.1:5081>;expires='
expect_request "erin registers for 2 s" 5071 REGISTER erin c-erin 1 200 'Contact: <sip:erin@127.0.0.1:5082>
Expires: 2'
[ "$MODE" = 2 ] && sleep 1.5 # write-back: the timer (1 s) writes the rows
rows=$(sql "SELECT contact, q, callid, cseq, user_agent, socket FROM location WHERE username='alice' ORDER BY contact")
expected="sip:alice@127.0.0.1:5080|0.5|c-alice|1|sipp-test|udp:127.0.0.1:5060
sip:alice@127.0.0.1:5081|-1.0|c-alice|1|sipp-test|udp:127.0.0.1:5060"
[ "$rows" = "$expected" ] || fail "alice's rows are not as expected: $rows"
expect_request "alice unregisters one contact" 5071 REGISTER alice c-alice 2 200 \
    'Contact: <sip:alice@127.0.0.1:5081>;expires=0' '+sip:alice@127\.0\.0\.1:5080>' '-5081'
sleep 4 # erin expires (2 s), and the timer (every 1 s) deletes her row
[ "$(sql "SELECT count(*) FROM location WHERE username='alice'")" = 1 ] || fail "the unregistered row is still there"
[ "$(sql "SELECT count(*) FROM location WHERE username='erin'")" = 0 ] || fail "the expired row is still there"
expect_request "erin is no longer registered" 5071 OPTIONS erin c-o 2 404 ''
stop_siphost

# A restart keeps the registrations (modes 1 and 2 load the table at start; mode 3 reads it).
mv "$WORK/siphost.log" "$WORK/siphost-first.log"
start_siphost "$WORK/registrar.cfg" -A WITH_SQLITE
expect_request "alice's binding survived the restart" 5071 REGISTER alice c-query 1 200 '' \
    '+sip:alice@127\.0\.0\.1:5080>;expires=(600|59[0-9]);q=0\.5' '-5081'
expect_request "kam's too" 5071 OPTIONS kam c-o 3 200 ''
expect_request "alice refreshes after the restart" 5071 REGISTER alice c-alice 3 200 \
    'Contact: <sip:alice@127.0.0.1:5080>;q=0.5
Expires: 1200' '+sip:alice@127\.0\.0\.1:5080>;expires=(1200|119[0-9])'
stop_siphost
[ "$(sql "SELECT cseq FROM location WHERE username='alice'")" = 3 ] || fail "the refresh did not reach the table"
echo "PASS: usrloc db_mode $MODE on SQLite"
