#!/bin/sh
# auth_db between sipp and siphost over real MariaDB and PostgreSQL servers (Debian's, started in a temporary
# directory by tests/modules/db/db_server.sh, not the system services), with Kamailio's schema (Debian's
# kamailio-mysql-modules and kamailio-postgres-modules SQL files) and users added by Kamailio's kamctl.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/auth"
DB_SERVER="$SOURCE_DIR/tests/modules/db/db_server.sh"
S="$HERE/scenarios"
STARTED=""

stop_servers() {
    for s in $STARTED; do sh "$DB_SERVER" stop "${s%%:*}" "$WORK/${s%%:*}" "${s##*:}" >/dev/null 2>&1; done
    STARTED=""
}
trap 'stop_servers; cleanup' EXIT

command -v kamctl >/dev/null || fail "kamctl missing: install kamailio"

# kamctl_ ENGINE PORT ARGS...: Kamailio's kamctl against the test's server.
kamctl_() {
    engine=$1; port=$2; shift 2
    cat > "$WORK/.kamctlrc" <<RC
SIP_DOMAIN=127.0.0.1
DBENGINE=$engine
DBHOST=127.0.0.1
DBPORT=$port
DBNAME=kamailio
DBRWUSER=kamailio
DBRWPW=kamailiorw
DBROUSER=kamailio
DBROPW=kamailiorw
STORE_PLAINTEXT_PW=0
RC
    HOME="$WORK" PGPASSWORD=kamailiorw timeout 30 kamctl "$@" > "$WORK/kamctl.log" 2>&1 < /dev/null ||
        fail "kamctl $* on $engine failed: $(cat "$WORK/kamctl.log")"
}

run_against() {
    engine=$1; port=$2; url=$3; define=$4
    start_siphost "$HERE/auth_db.cfg" -A "DBURL=\"$url\"" -A "$define" -A CALC_HA1=0 -A 'PW_COLUMN="ha1"'
    run_uac 127.0.0.1:5060 1 -sf "$S/auth_db_uac.xml" -s alice -au alice -ap wonderland ||
        fail "alice did not get in over $engine"
    run_uac 127.0.0.1:5060 1 -sf "$S/auth_db_wrong_uac.xml" -s alice -au alice -ap guess ||
        fail "a wrong password was not challenged again over $engine"
    stop_siphost
    expect_log 'auth_db: REGISTER from alice accepted' 1
    expect_log 'auth_db: OPTIONS from alice accepted' 1
    expect_log 'auth_db: REGISTER from alice refused with -2' 1
    mv "$WORK/siphost.log" "$WORK/siphost-$engine.txt"
}

# PostgreSQL
sh "$DB_SERVER" start postgres "$WORK/postgres" 15432 > "$WORK/postgres-start.txt" 2>&1 ||
    fail "PostgreSQL did not start: $(cat "$WORK/postgres-start.txt")"
STARTED="$STARTED postgres:15432"
for f in standard-create.sql auth_db-create.sql; do
    PGPASSWORD=kamailiorw psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 15432 -U kamailio -d kamailio \
        -f "/usr/share/kamailio/postgres/$f" > "$WORK/schema.log" 2>&1 ||
        fail "cannot load Kamailio's $f into PostgreSQL (kamailio-postgres-modules): $(cat "$WORK/schema.log")"
done
kamctl_ PGSQL 15432 add alice wonderland
run_against postgres 15432 "postgres://kamailio:kamailiorw@127.0.0.1:15432/kamailio" WITH_PGSQL

# MariaDB
sh "$DB_SERVER" start mysql "$WORK/mysql" 13306 > "$WORK/mysql-start.txt" 2>&1 ||
    fail "MariaDB did not start: $(cat "$WORK/mysql-start.txt")"
STARTED="$STARTED mysql:13306"
for f in standard-create.sql auth_db-create.sql; do
    mariadb --no-defaults -h 127.0.0.1 -P 13306 -u kamailio -pkamailiorw kamailio \
        < "/usr/share/kamailio/mysql/$f" > "$WORK/schema.log" 2>&1 ||
        fail "cannot load Kamailio's $f into MariaDB (kamailio-mysql-modules): $(cat "$WORK/schema.log")"
done
kamctl_ MYSQL 13306 add alice wonderland
run_against mysql 13306 "mysql://kamailio:kamailiorw@127.0.0.1:13306/kamailio" WITH_MYSQL

stop_servers
echo "PASS: auth_db authenticates kamctl's subscribers over PostgreSQL and MariaDB"
