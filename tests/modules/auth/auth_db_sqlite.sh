#!/bin/sh
# auth_db between sipp and siphost over SQLite, with a database Kamailio's own tools made: kamdbctl create
# (Kamailio's schema) and kamctl add (alice with her plain password stored, bob with HA1 only). Checked with
# calculate_ha1 1 (the password column, as Debian's kamailio.cfg) and with calculate_ha1 0 (the ha1 column).
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/auth"
DB="$WORK/kamailio.db"

command -v kamdbctl >/dev/null && command -v kamctl >/dev/null || fail "kamdbctl/kamctl missing: install kamailio"
command -v sqlite3 >/dev/null || fail "sqlite3 missing: install sqlite3 (kamdbctl's SQLite engine uses it)"
cat > "$WORK/.kamctlrc" <<RC
SIP_DOMAIN=127.0.0.1
DBENGINE=SQLITE
DB_PATH=$DB
INSTALL_EXTRA_TABLES=no
INSTALL_PRESENCE_TABLES=no
INSTALL_DBUID_TABLES=no
STORE_PLAINTEXT_PW=1
RC
kamctl_() { HOME="$WORK" timeout 30 "$@" > "$WORK/kamctl.log" 2>&1 < /dev/null; }
kamctl_ kamdbctl create || fail "kamdbctl create failed: $(cat "$WORK/kamctl.log")"
kamctl_ kamctl add alice wonderland || fail "kamctl add alice failed: $(cat "$WORK/kamctl.log")"
sed -i 's/STORE_PLAINTEXT_PW=1/STORE_PLAINTEXT_PW=0/' "$WORK/.kamctlrc"
kamctl_ kamctl add bob builder || fail "kamctl add bob failed: $(cat "$WORK/kamctl.log")"
[ "$(sqlite3 "$DB" "select count(*) from subscriber where password = ''")" = 1 ] ||
    fail "bob should have no plain password stored"

S="$HERE/scenarios"
# Plain passwords.
start_siphost "$HERE/auth_db.cfg" -A "DBURL=\"sqlite:///$DB\"" -A CALC_HA1=1
run_uac 127.0.0.1:5060 1 -sf "$S/auth_db_uac.xml" -s alice -au alice -ap wonderland ||
    fail "alice did not get in with her plain password"
run_uac 127.0.0.1:5060 1 -sf "$S/auth_db_wrong_uac.xml" -s alice -au alice -ap guess ||
    fail "a wrong password was not challenged again"
stop_siphost
expect_log 'auth_db: REGISTER from alice accepted' 1
expect_log 'auth_db: OPTIONS from alice accepted' 1
expect_log 'auth_db: REGISTER from alice refused with -2' 1
mv "$WORK/siphost.log" "$WORK/siphost-plain.txt"

# Stored HA1.
start_siphost "$HERE/auth_db.cfg" -A "DBURL=\"sqlite:///$DB\"" -A CALC_HA1=0 -A 'PW_COLUMN="ha1"'
run_uac 127.0.0.1:5060 1 -sf "$S/auth_db_uac.xml" -s bob -au bob -ap builder || fail "bob did not get in by HA1"
run_uac 127.0.0.1:5060 1 -sf "$S/auth_db_uac.xml" -s alice -au alice -ap wonderland || fail "alice did not get in by HA1"
run_uac 127.0.0.1:5060 1 -sf "$S/auth_db_wrong_uac.xml" -s carol -au carol -ap nobody ||
    fail "an unknown user was not challenged again"
stop_siphost
expect_log 'auth_db: REGISTER from bob accepted' 1
expect_log 'auth_db: OPTIONS from bob accepted' 1
expect_log 'auth_db: OPTIONS from alice accepted' 1
expect_log 'auth_db: REGISTER from carol refused with -3' 1
echo "PASS: auth_db authenticates kamctl's subscribers by plain password and by HA1 over SQLite"
