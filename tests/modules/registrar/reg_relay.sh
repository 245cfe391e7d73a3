#!/bin/sh
# registrar's lookup() and what a relay does with its contacts, on Kamailio 5.6 (Debian's) and on siphost: one
# config (cfg/relay.cfg), the same requests (reg_relay.py), and what both scripts log (ruids numbered in order of
# appearance, the server's port written PORT) and what the peers receive must be the same. Then each point is
# said outright: $ruid in branch_route is the branch's own; the Request-URI's Path goes as the first Route on its
# own branch only (before the request's Route, with stateless forward() too, and again from failure_route, where
# $ruid is null); xavp_cfg's socket is stored with sock_flag; rlf_bflags filters with lookup_filter_mode 1.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
require_kamailio

write_pair_configs "$REG_DIR/cfg/relay.cfg" 'listen=udp:127.0.0.1:%s\nlisten=udp:127.0.0.2:%s\n'
run_client_on_both "$REG_DIR/reg_relay.py" received
script_lines "$WORK/kamailio.log" > "$WORK/kamailio.lines"
script_lines "$WORK/siphost.log" > "$WORK/siphost.lines"
compare_pair received "lookup() and relay do not do what Kamailio's do"

# What the comparison stands on, said outright (so that a Kamailio that changed would show here too).
L="$WORK/siphost.lines"
R="$WORK/siphost.received"
grep -q '^call-alice: lookup rc=1 ru=sip:alice@127.0.0.1:5181 du=sip:127.0.0.1:5183;lr ruid=R[0-9]* .* b0=\[sip:alice@127.0.0.1:5182|<null>|<null>|R[0-9]*\]' "$L" ||
    fail "lookup() did not put the Path contact first with \$du its first hop: $(grep '^call-alice: lookup' "$L")"
first=$(sed -n 's/^call-alice: lookup .* ruid=\(R[0-9]*\) .*/\1/p' "$L")
other=$(sed -n 's/^call-alice: lookup .*|\(R[0-9]*\)\]$/\1/p' "$L")
grep -q "^call-alice: branch ru=sip:alice@127.0.0.1:5181 du=sip:127.0.0.1:5183;lr ruid=$first " "$L" ||
    fail "branch_route of the first contact: not its ruid ($first): $(grep '^call-alice: branch' "$L")"
grep -q "^call-alice: branch ru=sip:alice@127.0.0.1:5182 du=<null> ruid=$other " "$L" ||
    fail "branch_route of the other contact: not its own ruid ($other): $(grep '^call-alice: branch' "$L")"
grep -q "^  at 5183 from 127.0.0.1: MESSAGE sip:alice@127.0.0.1:5181 SIP/2.0 route=\['<sip:127.0.0.1:5183;lr>'\]" "$R" ||
    fail "the Path contact's branch did not reach its edge with its Path as Route"
grep -q "^  at 5182 from 127.0.0.1: MESSAGE sip:alice@127.0.0.1:5182 SIP/2.0 route=\[\]" "$R" ||
    fail "the other branch carried a Route (the first contact's Path?): $(grep 'at 5182' "$R" | head -n 1)"
grep -q "^  at 5183 from 127.0.0.1: MESSAGE sip:bob@127.0.0.1:5182 SIP/2.0 route=\['<sip:127.0.0.1:5183;lr>,<sip:127.0.0.1:5184;lr>', '<sip:127.0.0.1:PORT;lr>'\]" "$R" ||
    fail "the Path did not go before the request's own Route"
grep -A1 '^stateless-bob:' "$R" | grep -q "route=\['<sip:127.0.0.1:5183;lr>,<sip:127.0.0.1:5184;lr>'\]" ||
    fail "forward() did not write the Path as Route"
grep -q '^fail-bob: failure ru=sip:bob@127.0.0.1:5182 du=sip:127.0.0.1:5183;lr ruid=<null>' "$L" ||
    fail "failure_route: \$du or a null \$ruid: $(grep '^fail-bob: failure' "$L")"
grep -q "^  at 5183 from 127.0.0.1: MESSAGE sip:voicemail@127.0.0.1:5181 SIP/2.0 route=\['<sip:127.0.0.1:5183;lr>,<sip:127.0.0.1:5184;lr>'\]" "$R" ||
    fail "a relay from failure_route lost the Path"
grep -q '^call-carol: lookup rc=1 ru=sip:carol@127.0.0.1:5181 .* fs=udp:127.0.0.2:PORT ' "$L" ||
    fail "xavp_cfg's socket was not stored: $(grep '^call-carol: lookup' "$L")"
grep -q "^  at 5181 from 127.0.0.2: MESSAGE sip:carol@127.0.0.1:5181 " "$R" ||
    fail "the contact saved with xavp_cfg's socket was not called from it"
grep -q "^  at 5183 from 127.0.0.1: MESSAGE sip:carol@127.0.0.1:5183 " "$R" ||
    fail "a non-local xavp_cfg socket did not fall back to the REGISTER's"
[ "$(grep -c '^call-carol-rlf8: branch ' "$L")" = 1 ] && grep -q '^call-carol-rlf8: branch ru=sip:carol@127.0.0.1:5182 ' "$L" ||
    fail "rlf_bflags 8 did not keep only the contact saved with branch flag 3"
grep -q '^call-carol-rlf2: lookup rc=-1 ' "$L" || fail "rlf_bflags 2 matched a contact"
[ "$(grep -c '^call-carol-rlf0: branch ' "$L")" = 3 ] || fail "rlf_bflags 0 filtered"

# What siphost refuses when it reads the config, each with its reason.
refused() {
    what=$1; param=$2; expected=$3
    printf '#!KAMAILIO\nlisten=udp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "usrloc.so"\nloadmodule "registrar.so"\n%s\nrequest_route { lookup("location"); }\n' \
        "$param" > "$WORK/refused.cfg"
    "$SIPHOST" -c -L "$MODULES" -f "$WORK/refused.cfg" > "$WORK/refused.out" 2>&1 && fail "$what was accepted"
    grep -q "$expected" "$WORK/refused.out" || fail "$what: no '$expected' in: $(cat "$WORK/refused.out")"
}
refused "lookup_filter_mode 8" 'modparam("registrar", "lookup_filter_mode", 8)' "a sum of 1 (contacts with a branch flag of rlf_bflags), 2"
refused "sock_flag 64" 'modparam("registrar", "sock_flag", 64)' "sock_flag must be a message flag"
echo "PASS: \$ruid in branch_route, the path vector, xavp_cfg's socket and rlf_bflags as Kamailio 5.6's"
