#!/bin/sh
# Debian's /etc/kamailio/kamailio.cfg, unmodified, with WITH_MYSQL, WITH_AUTH, WITH_USRLOCDB and WITH_ACCDB on
# a real MariaDB server that has Kamailio's schema (and the acc columns the config's comments ask for):
# Kamailio 5.6 first, then siphost, each on the same database. Users register with digest auth against the
# subscriber table, a REGISTER without credentials is challenged, alice calls bob with auth and reaches the
# contact bob registered, and the call is written to the acc table.
#
# The config's DBURL is mysql://kamailio:kamailiorw@localhost/kamailio: "localhost" is MariaDB's socket
# /run/mysqld/mysqld.sock, so the test runs in a private mount namespace (a tmpfs on /run) where that path
# leads to the server this test starts, and in a private network namespace (port 3306 on loopback).
if [ "${STOCK_PRIVATE_RUN:-0}" != 1 ]; then
    export STOCK_PRIVATE_RUN=1
    exec unshare -m sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/kamailio /run/mysqld && exec sh "$0"' "$0"
fi
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
S="$SOURCE_DIR/tests/integration/scenarios"
RS="$SOURCE_DIR/tests/modules/registrar/scenarios"
STOCK=${STOCK_CONFIG:-/etc/kamailio/kamailio.cfg}
KAMAILIO_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
DB_SERVER="$SOURCE_DIR/tests/modules/db/db_server.sh"
DEFINES="-A WITH_MYSQL -A WITH_AUTH -A WITH_USRLOCDB -A WITH_ACCDB"
[ -f "$STOCK" ] || fail "no $STOCK (Debian package kamailio)"
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio)"
[ -f "$KAMAILIO_MODULES/db_mysql.so" ] || fail "Kamailio's db_mysql is missing: install kamailio-mysql-modules"

SERVER_STARTED=""
stop_db() {
    [ -n "$SERVER_STARTED" ] && sh "$DB_SERVER" stop mysql "$WORK/mysql" 3306 > /dev/null 2>&1
    SERVER_STARTED=""
}
trap 'stop_db; cleanup' EXIT
sh "$DB_SERVER" start mysql "$WORK/mysql" 3306 > "$WORK/server-start.txt" 2>&1 ||
    fail "the MariaDB server did not start: $(cat "$WORK/server-start.txt")"
SERVER_STARTED=1
ln -s "$WORK/mysql/mysql.sock" /run/mysqld/mysqld.sock || fail "cannot link /run/mysqld/mysqld.sock"
sql() { mariadb --no-defaults -S "$WORK/mysql/mysql.sock" -u root "$@" kamailio; }
for f in standard-create.sql usrloc-create.sql auth_db-create.sql acc-create.sql; do
    sql < "/usr/share/kamailio/mysql/$f" > "$WORK/schema.log" 2>&1 ||
        fail "cannot load Kamailio's $f (kamailio-mysql-modules): $(cat "$WORK/schema.log")"
done
for table in acc missed_calls; do
    echo "ALTER TABLE $table ADD COLUMN src_user VARCHAR(64) NOT NULL DEFAULT '',
        ADD COLUMN src_domain VARCHAR(128) NOT NULL DEFAULT '', ADD COLUMN src_ip VARCHAR(64) NOT NULL DEFAULT '',
        ADD COLUMN dst_ouser VARCHAR(64) NOT NULL DEFAULT '', ADD COLUMN dst_user VARCHAR(64) NOT NULL DEFAULT '',
        ADD COLUMN dst_domain VARCHAR(128) NOT NULL DEFAULT '';" | sql > "$WORK/schema.log" 2>&1 ||
        fail "cannot add the stock config's acc columns: $(cat "$WORK/schema.log")"
done
echo "INSERT INTO subscriber (username, domain, password) VALUES ('alice', '127.0.0.1', 'wonderland'),
    ('bob', '127.0.0.1', 'builder');" | sql > "$WORK/users.log" 2>&1 || fail "cannot add the users: $(cat "$WORK/users.log")"

. "$SOURCE_DIR/tests/integration/stock/stock_lib.sh"

# with_auth NAME: the same requests to each server.
with_auth() {
    who=$1
    echo "DELETE FROM location; DELETE FROM acc; DELETE FROM missed_calls;" | sql || fail "cannot empty the tables"
    expect_request "$who: a REGISTER without credentials is challenged" 5071 REGISTER carol "c-carol-$who" 1 401 \
        'Contact: <sip:carol@127.0.0.1:5071>' '+WWW-Authenticate: Digest '
    run_uac 127.0.0.1:5060 1 -sf "$RS/auth_register_uac.xml" -s alice -au alice -ap wonderland ||
        fail "$who: alice did not register with her password"
    sipp -nostdin -i 127.0.0.1 -p 5084 -m 1 -timeout 20s -timeout_error -trace_err \
        -error_file "$WORK/bad-$who-errors.log" -sf "$RS/auth_register_uac.xml" -s bob -au bob -ap wrong \
        127.0.0.1:5060 > "$WORK/bad-$who.log" 2>&1 && fail "$who: bob registered with a wrong password"
    sipp -nostdin -i 127.0.0.1 -p 5084 -m 1 -timeout 20s -timeout_error -trace_err \
        -error_file "$WORK/bob-$who-errors.log" -sf "$RS/auth_register_uac.xml" -s bob -au bob -ap builder \
        127.0.0.1:5060 > "$WORK/bob-$who.log" 2>&1 || fail "$who: bob did not register with his password"
    start_named_uas callee 5084 1 -sf "$S/tm_uas.xml"
    run_uac 127.0.0.1:5060 1 -sf "$RS/auth_call_uac.xml" -s bob -au alice -ap wonderland ||
        fail "$who: alice's call to bob did not complete"
    wait_uas || fail "$who: bob's phone did not get the call"
    for _ in $(seq 1 40); do
        rows=$(echo "SELECT COUNT(*) FROM acc WHERE method = 'INVITE' AND sip_code = '200' AND src_user = 'alice'
            AND dst_ouser = 'bob';" | sql -N)
        [ "$rows" = 1 ] && return 0
        sleep 0.1
    done
    fail "$who: the answered call is not in the acc table ($rows rows)"
}

# usrloc's db_mode 2 (the stock config's) writes the location table behind the cache: at the latest when the
# server stops.
locations_written() {
    [ "$(echo "SELECT COUNT(*) FROM location WHERE username IN ('alice', 'bob');" | sql -N)" = 2 ] ||
        fail "$1: the location table does not hold alice and bob after it stopped"
}

run_server kamailio kamailio -DD -E $DEFINES -f "$STOCK" -L "$KAMAILIO_MODULES" -w "$WORK"
with_auth kamailio
stop_server kamailio
locations_written kamailio
run_server siphost "$SIPHOST" -DD -E $DEFINES -f "$STOCK" -L "$MODULES"
SIPHOST_PID=$SERVER_PID
with_auth siphost
stop_siphost
locations_written siphost
echo "PASS: Debian's stock kamailio.cfg with MariaDB (WITH_MYSQL, WITH_AUTH, WITH_USRLOCDB, WITH_ACCDB), on Kamailio and on siphost"
