#!/bin/sh
# What `make run RUN_ARGS="-A WITH_AUTH"` starts (cfg/siphost.cfg, here with WITH_TM too), on a users file
# that tools/siphost-users made in the directory siphost runs in (the config's sqlite:///siphost.db): alice
# and bob register with digest auth (a wrong password is challenged again), then alice calls bob by his AOR
# with auth and the call reaches the contact bob registered. Without credentials nothing registers.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
USERS="$SOURCE_DIR/tools/siphost-users"
RS="$REG_DIR/scenarios"
S="$SOURCE_DIR/tests/integration/scenarios"

cd "$WORK" || fail "no work directory"
"$USERS" init > users.log 2>&1 || fail "siphost-users init failed: $(cat users.log)"
"$USERS" add alice wonderland >> users.log 2>&1 || fail "siphost-users add alice failed: $(cat users.log)"
"$USERS" add bob 'build"er' >> users.log 2>&1 || fail "siphost-users add bob failed: $(cat users.log)"
[ "$("$USERS" list)" = "alice@127.0.0.1
bob@127.0.0.1" ] || fail "siphost-users list: $("$USERS" list)"

start_siphost "$SOURCE_DIR/cfg/siphost.cfg" -A WITH_AUTH -A WITH_TM
expect_request "a REGISTER without credentials is challenged" 5071 REGISTER carol c-carol 1 401 \
    'Contact: <sip:carol@127.0.0.1:5071>' '+WWW-Authenticate: Digest '
run_uac 127.0.0.1:5060 1 -sf "$RS/auth_register_uac.xml" -s alice -au alice -ap wonderland ||
    fail "alice did not register with her password"
sipp -nostdin -i 127.0.0.1 -p 5084 -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/bad-errors.log" \
    -sf "$RS/auth_register_uac.xml" -s bob -au bob -ap wrong 127.0.0.1:5060 > "$WORK/bad.log" 2>&1 &&
    fail "bob registered with a wrong password"
sipp -nostdin -i 127.0.0.1 -p 5084 -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/bob-errors.log" \
    -sf "$RS/auth_register_uac.xml" -s bob -au bob -ap 'build"er' 127.0.0.1:5060 > "$WORK/bob.log" 2>&1 ||
    fail "bob did not register with his password"
expect_request "a query without credentials is challenged too" 5071 REGISTER bob c-q 1 401 ''

start_named_uas callee 5084 1 -sf "$S/tm_uas.xml"
run_uac 127.0.0.1:5060 1 -sf "$RS/auth_call_uac.xml" -s bob -au alice -ap wonderland ||
    fail "alice's call to bob did not complete"
wait_uas || fail "bob's phone (the contact he registered) did not get the call"
stop_siphost
echo "PASS: registrations and calls with auth on cfg/siphost.cfg"
