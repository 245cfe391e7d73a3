# registrar's lookup_filter_mode 2 on Kamailio 5.6 (Debian's) and on siphost: one config (cfg/conn.cfg), the same
# requests (reg_conn.py), and what both scripts log and what the client is answered must be the same. Then each
# point is said outright: while the TCP connection a REGISTER came over is open, lookup() keeps its contacts
# (a UDP URI too); once it has closed, it skips them (an AOR with none left: -1), and keeps the UDP REGISTER's.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
require_kamailio

write_pair_configs "$REG_DIR/cfg/conn.cfg" 'listen=udp:127.0.0.1:%s\nlisten=tcp:127.0.0.1:%s\n'
run_client_on_both "$REG_DIR/reg_conn.py" replies
# The probes repeat until the close is seen, a number of times that depends on timing: not compared. The
# lines are sorted (each names its case): save() replies before the script logs, so the next request, read
# by another worker (TCP and UDP), may log first.
script_lines "$WORK/kamailio.log" | grep -v '^probe:' | sort > "$WORK/kamailio.lines"
script_lines "$WORK/siphost.log" | grep -v '^probe:' | sort > "$WORK/siphost.lines"
compare_pair replies "lookup_filter_mode 2 does not do what Kamailio's does"

# What the comparison stands on, said outright.
L="$WORK/siphost.lines"
R="$WORK/siphost.replies"
grep -q '^reg-alice-tcp: save rc=1 over tcp$' "$L" || fail "the REGISTER over TCP was not saved: $(cat "$L")"
grep -q '^call-alice-open: lookup rc=1 ru=sip:alice@127.0.0.1:5181 branches=1 b0=sip:alice@127.0.0.1:5182$' "$L" ||
    fail "with the connection open, lookup() did not keep both contacts: $(grep '^call-alice-open' "$L")"
grep -q '^call-bob-open: lookup rc=1 ' "$L" || fail "bob's TCP contact was skipped while open"
grep -q '^bob-gone: SIP/2.0 404' "$R" || fail "bob's contact stayed after its connection closed: $(cat "$R")"
grep -q '^call-alice-closed: lookup rc=1 ru=sip:alice@127.0.0.1:5182 branches=<null> ' "$L" ||
    fail "after the close, lookup() did not keep the UDP REGISTER's contact alone: $(grep '^call-alice-closed' "$L")"
grep -q '^call-bob-closed: lookup rc=-1 ' "$L" || fail "an AOR with only closed contacts was not -1"
echo "PASS: lookup_filter_mode 2 keeps a connection's contacts while it is open and skips them once closed"
