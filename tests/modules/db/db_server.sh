#!/bin/sh
# Starts or stops a throw-away database server for tests: MariaDB or PostgreSQL from Debian's packages, with
# its data in DIR (not the system service), listening on 127.0.0.1:PORT and on a unix socket in DIR.
#
# usage: db_server.sh start|stop mysql|postgres DIR PORT
#
#   start  initialises DIR (when it holds no server yet), starts the server, creates the user `kamailio`
#          with password `kamailiorw` and the database `kamailio` it owns, and waits until it answers.
#          Exit 0 when it answers; else exit 1 with the server's log on stderr.
#   stop   stops the server started in DIR and waits until it has exited (exit 0 when none is running).
#
# The database URLs are then mysql://kamailio:kamailiorw@127.0.0.1:PORT/kamailio and
# postgres://kamailio:kamailiorw@127.0.0.1:PORT/kamailio. The administrator (no password) is reachable on
# the socket: `mariadb --no-defaults -S DIR/mysql.sock -u root`, `psql -h DIR -p PORT -U postgres`.
# As root, postgres runs as the `postgres` user (it refuses root): DIR is handed to that user, and DIR's
# parent is made searchable by others (o+x) when that user cannot reach DIR (the 0700 directory `mktemp -d`
# makes); the parents above it must be searchable already. DIR is not deleted.
set -u

action=${1:-}
engine=${2:-}
dir=${3:-}
port=${4:-}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
WAIT_SECONDS=${WAIT_SECONDS:-60}

usage() {
    echo "usage: $0 start|stop mysql|postgres DIR PORT" >&2
    exit 2
}
[ -n "$action" ] && [ -n "$engine" ] && [ -n "$dir" ] && [ -n "$port" ] || usage
case "$port" in *[!0-9]*) usage ;; esac

fail() {
    echo "db_server.sh: $1" >&2
    for log in "$dir"/*.log; do
        [ -f "$log" ] || continue
        echo "---- $log (last 40 lines)" >&2
        tail -n 40 "$log" >&2
    done
    exit 1
}

# Runs a command as the postgres user when we are root.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start_postgres() {
    mkdir -p "$dir" || fail "cannot create $dir"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$dir"
        runuser -u postgres -- test -x "$dir" || chmod o+x "$(dirname "$dir")"
        runuser -u postgres -- test -x "$dir" || fail "the postgres user cannot reach $dir"
    fi
    chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
            -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || fail "initdb failed"
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t "$WAIT_SECONDS" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start \
        >"$dir/pg_ctl.log" 2>&1 || fail "postgres did not start on 127.0.0.1:$port"
    as_pg "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q >>"$dir/pg_ctl.log" 2>&1 <<SQL || fail "cannot create the kamailio user and database"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kamailio') THEN
    CREATE ROLE kamailio LOGIN PASSWORD 'kamailiorw';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE kamailio OWNER kamailio ENCODING ''UTF8'''
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'kamailio') \gexec
SQL
    as_pg "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$port" -t "$WAIT_SECONDS" >/dev/null ||
        fail "postgres does not answer on 127.0.0.1:$port"
}

stop_postgres() {
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t "$WAIT_SECONDS" stop >>"$dir/pg_ctl.log" 2>&1 ||
        fail "postgres in $dir did not stop"
}

mysql_client() {
    mariadb --no-defaults -S "$dir/mysql.sock" -u root "$@"
}

start_mysql() {
    mkdir -p "$dir" || fail "cannot create $dir"
    user=$(id -un)
    if [ ! -d "$dir/data/mysql" ]; then
        mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
            --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
            fail "mariadb-install-db failed: $(tail -n 5 "$dir/install.log" | tr '\n' ' ')"
    fi
    mariadbd --no-defaults --datadir="$dir/data" --user="$user" --port="$port" --bind-address=127.0.0.1 \
        --socket="$dir/mysql.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/mysqld.log" \
        --skip-log-bin --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=32M \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci >/dev/null 2>&1 &
    i=0
    until mysql_client -e "SELECT 1" >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -le $((WAIT_SECONDS * 5)) ] || fail "mariadbd did not answer on $dir/mysql.sock"
        kill -0 $! 2>/dev/null || fail "mariadbd exited"
        sleep 0.2
    done
    mysql_client >>"$dir/install.log" 2>&1 <<SQL || fail "cannot create the kamailio user and database"
CREATE DATABASE IF NOT EXISTS kamailio CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS 'kamailio'@'localhost' IDENTIFIED BY 'kamailiorw';
CREATE USER IF NOT EXISTS 'kamailio'@'127.0.0.1' IDENTIFIED BY 'kamailiorw';
GRANT ALL PRIVILEGES ON kamailio.* TO 'kamailio'@'localhost';
GRANT ALL PRIVILEGES ON kamailio.* TO 'kamailio'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
}

stop_mysql() {
    [ -f "$dir/mysqld.pid" ] || return 0
    pid=$(cat "$dir/mysqld.pid")
    mysql_client -e "SHUTDOWN" >/dev/null 2>&1 || kill "$pid" 2>/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -le $((WAIT_SECONDS * 5)) ] || fail "mariadbd (pid $pid) did not stop"
        sleep 0.2
    done
    rm -f "$dir/mysqld.pid"
}

case "$action:$engine" in
start:postgres) start_postgres ;;
stop:postgres) stop_postgres ;;
start:mysql) start_mysql ;;
stop:mysql) stop_mysql ;;
*) usage ;;
esac
exit 0
