#!/bin/sh
# The SDK's example modules as a third party gets them: the sdk component installed into a scratch prefix,
# sdk/examples/stamp (C99) and sdk/examples/call_timer (C++17) built out of tree against it alone, warnings as
# errors, installed into the package's SIPHOST_MODULE_DIR, then run in siphost between sipp peers:
#   - a call relayed by tm: the INVITE reaches the UAS stamped, its replies reach the UAC stamped, xlog prints
#     $stamp(...), call_timer logs the call with its first provisional and final reply times;
#   - a call refused by tm with 486: call_timer counts it as 4xx;
#   - two OPTIONS: the first passes stamp_limit(), the second is refused and stamp_reject() answers 503
#     through sl's API with the request's stamp; the window timer logs it and raises event_route[stamp:over-limit];
#   - at shutdown, the metrics of both modules in the counters line.
# Needs CMAKE, CTEST, BUILD_DIR, CC and CXX besides lib.sh's variables.
. "$SOURCE_DIR/tests/integration/lib.sh"
CMAKE=${CMAKE:?path of cmake}
BUILD_DIR=${BUILD_DIR:?the build tree whose sdk component is installed}

# ---- build, as a module author would -------------------------------------------------------------------

PREFIX="$WORK/prefix"
"$CMAKE" --install "$BUILD_DIR" --prefix "$PREFIX" --component sdk > "$WORK/build.log" 2>&1 ||
    fail "installing the sdk component failed"
for example in stamp call_timer; do
    {
        "$CMAKE" -S "$SOURCE_DIR/sdk/examples/$example" -B "$WORK/build-$example" -DCMAKE_PREFIX_PATH="$PREFIX" \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER="${CC:-cc}" -DCMAKE_CXX_COMPILER="${CXX:-c++}" \
            -DCMAKE_C_FLAGS=-Werror -DCMAKE_CXX_FLAGS=-Werror &&
        "$CMAKE" --build "$WORK/build-$example" &&
        "$CMAKE" --install "$WORK/build-$example"
    } >> "$WORK/build.log" 2>&1 || fail "building sdk/examples/$example against the installed SDK failed"
done
# Wherever the package's SIPHOST_MODULE_DIR is under the prefix, both must have gone there.
EXAMPLES=$(dirname "$(find "$PREFIX" -name stamp.so | head -n 1)")
[ -f "$EXAMPLES/stamp.so" ] && [ -f "$EXAMPLES/call_timer.so" ] ||
    fail "the examples were not installed into the package's SIPHOST_MODULE_DIR under $PREFIX"
grep -q "stamp_tests" "$WORK/build-stamp/CTestTestfile.cmake" 2>/dev/null ||
    fail "stamp's tests were not built: the installed SDK lacks siphost::testkit (or GoogleTest is missing)"
rm -f "$WORK/build.log" # from here on, fail() shows siphost's and sipp's logs

# stamp's own tests, written with the installed test kit, run against the siphost and modules under test.
SIPHOST_BINARY="$SIPHOST" SIPHOST_MODULE_PATH="$MODULES" "${CTEST:?path of ctest}" --test-dir "$WORK/build-stamp" \
    --output-on-failure > "$WORK/stamp-tests.log" 2>&1 ||
    fail "stamp's tests (the installed test kit) failed: $(tail -n 40 "$WORK/stamp-tests.log")"
grep -q "100% tests passed, 0 tests failed out of 3" "$WORK/stamp-tests.log" ||
    fail "stamp's tests did not all run: $(tail -n 5 "$WORK/stamp-tests.log")"

"$SIPHOST" --module-info "$EXAMPLES/stamp.so" > "$WORK/info.txt" 2>&1 || fail "stamp.so: $(cat "$WORK/info.txt")"
"$SIPHOST" --module-info "$EXAMPLES/call_timer.so" >> "$WORK/info.txt" 2>&1 ||
    fail "call_timer.so: $(cat "$WORK/info.txt")"
for declared in 'depends: +sl$' 'stamp_limit\(int\) +arity 1' 'event_route\[stamp:over-limit\]' '^  stamp\.stats' \
                'depends: +tm$' 'log_level \(int\|string' '^  call_timer\.stats'; do
    grep -q -E "$declared" "$WORK/info.txt" || fail "--module-info does not show '$declared'"
done

# ---- the config and the scenarios ----------------------------------------------------------------------

cat > "$WORK/examples.cfg" <<'EOF'
debug=2
children=2
listen=udp:127.0.0.1:5060
log_stderror=yes

loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "textops.so"
loadmodule "xlog.so"
loadmodule "pv.so"
loadmodule "stamp.so"
loadmodule "call_timer.so"

modparam("tm", "wt_timer", 300)
modparam("stamp", "header", "X-Node")
modparam("stamp", "window", 200)
modparam("call_timer", "log_level", "L_NOTICE")

request_route {
    if (is_method("OPTIONS")) {
        stamp_request("limit $hdr(X-Limit)");
        if (!stamp_limit($hdr(X-Limit))) {
            stamp_reject(503);
            exit;
        }
        sl_send_reply(200, "OK");
        exit;
    }
    if (is_method("ACK") && t_check_trans()) {
        exit;
    }
    if ($rU == "busy") {
        t_newtran();
        t_reply(486, "Busy Here");
        exit;
    }
    stamp_request("node $Ri worker $stamp(worker)");
    xlog("L_NOTICE", "stamped $rm: value=[$stamp(value)] count=$stamp(count) last=[$stamp(last)]\n");
    t_on_reply("STAMP");
    t_relay_to_udp("127.0.0.1", "5080");
    exit;
}

onreply_route[STAMP] {
    stamp_reply("reply $rs");
}

event_route[stamp:over-limit] {
    xlog("L_NOTICE", "over the limit: window now $stamp(window)\n");
}
EOF

cat > "$WORK/options.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<!-- Two OPTIONS: the first within its limit (200), the second over it (503 from stamp_reject with its stamp).
     Retransmitted late, since a retransmission would be counted (and refused) once more. -->
<scenario name="stamp options">
  <send retrans="2000">
    <![CDATA[
      OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: sipp <sip:sipp@[local_ip]:[local_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Max-Forwards: 70
      X-Limit: 100
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
  <send retrans="2000">
    <![CDATA[
      OPTIONS sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: sipp <sip:sipp@[local_ip]:[local_port]>
      Call-ID: [call_id]
      CSeq: 2 OPTIONS
      Max-Forwards: 70
      X-Limit: 0
      Content-Length: 0

    ]]>
  </send>
  <recv response="503">
    <action>
      <ereg regexp="limit 0$" search_in="hdr" header="X-Node:" check_it="true" assign_to="stamp"/>
    </action>
  </recv>
  <Reference variables="stamp"/>
</scenario>
EOF
sed 's/CODE_HERE/486/' "$SOURCE_DIR/tests/integration/scenarios/tm_uac_negative.xml" > "$WORK/uac_486.xml"

# A fixup refuses a constant limit that cannot work, at the call's place in the config.
sed 's/stamp_limit($hdr(X-Limit))/stamp_limit(0)/' "$WORK/examples.cfg" > "$WORK/bad.cfg"
"$SIPHOST" -c -L "$MODULES:$EXAMPLES" -f "$WORK/examples.cfg" > "$WORK/check.txt" 2>&1 ||
    fail "siphost -c refused the examples' config: $(cat "$WORK/check.txt")"
if "$SIPHOST" -c -L "$MODULES:$EXAMPLES" -f "$WORK/bad.cfg" > "$WORK/check.txt" 2>&1; then
    fail "siphost -c accepted stamp_limit(0)"
fi
grep -q -E 'bad\.cfg:[0-9]+:[0-9]+: error: .*stamp_limit\(\) takes a positive number of requests per window' \
    "$WORK/check.txt" || fail "stamp_limit(0) was not refused by its fixup: $(cat "$WORK/check.txt")"
rm -f "$WORK/check.txt"

# ---- over SIP ------------------------------------------------------------------------------------------

start_uas 5080 1 -sn uas -trace_msg
start_siphost "$WORK/examples.cfg" -L "$MODULES:$EXAMPLES"
run_uac 127.0.0.1:5060 1 -sn uac -trace_msg || fail "the call relayed by tm failed"
wait_uas || fail "the UAS did not finish its call"
run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_486.xml" -s busy || fail "the UAC did not get 486 for busy"
run_uac 127.0.0.1:5060 1 -sf "$WORK/options.xml" || fail "the OPTIONS were not answered 200, then 503 with the stamp"
sleep 1 # several windows of 200 ms, and wt_timer (300 ms) for the INVITE transactions to end
stop_siphost

# The stamp on the relayed requests (at the UAS) and on the relayed replies (at the UAC).
grep -q -E '^X-Node: node 127\.0\.0\.1 worker [01]' "$WORK"/uas_*_messages.log ||
    fail "the UAS got no INVITE stamped by stamp_request()"
grep -q -E '^X-Node: reply 180' "$WORK"/uac_*_messages.log || fail "the UAC got no 180 stamped by stamp_reply()"
grep -q -E '^X-Node: reply 200' "$WORK"/uac_*_messages.log || fail "the UAC got no 200 stamped by stamp_reply()"
# The pseudo-variables, per message and per thread.
expect_log '<script>: stamped INVITE: value=\[node 127\.0\.0\.1 worker [01]\] count=[1-9][0-9]* last=\[node 127\.0\.0\.1 worker [01]\]$' 1
# The window timer's summary, and the event route it raised for the refused OPTIONS.
expect_log 'stamp: window of 200 ms: [0-9]+ requests counted, 1 refused$' 1
expect_log '<script>: over the limit: window now [0-9]+$' 1
# call_timer's line per call, at the level its modparam set.
expect_log 'NOTICE: call_timer: INVITE [^ ]+: 200 after [0-9]+ ms, first provisional 180 after [0-9]+ ms$' 1
expect_log 'call_timer: INVITE [^ ]+: 486 after [0-9]+ ms, no provisional reply$' 1
# Both modules' metrics in the shutdown line.
expect_log 'counters:.* call_timer\.calls\{class=2xx\}=1 call_timer\.calls\{class=3xx\}=0 call_timer\.calls\{class=4xx\}=1 ' 1
expect_log 'counters:.* call_timer\.in_progress=0( |$)' 1
expect_log 'counters:.* stamp\.stamped=[1-9][0-9]* stamp\.refused=1 stamp\.rejected=1 stamp\.window=[0-9]+( |$)' 1
echo "PASS: stamp and call_timer, built against the installed SDK, behaved in siphost"
