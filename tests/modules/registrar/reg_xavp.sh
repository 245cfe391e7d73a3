#!/bin/sh
# registrar's xavp_cfg and xavp_rcd, and $ruid, on Kamailio 5.6 (Debian's) and on siphost: one config
# (cfg/xavp.cfg), the same requests (reg_xavp.py: save() with max_contacts, expires and q from the xavp,
# registered() with each match_option and match_action 1, 2 and 3, lookup() and what it leaves in the xavp and in
# $ruid, the socket save() stores with sock_flag), three times: with every xavp_rcd field, with xavp_rcd_mask 20,
# and with sock_hdr_name. The script's lines (ruids numbered in order of appearance) and the replies must be the
# same on both.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
require_kamailio

run_pass() {
    pass=$1; shift
    write_pair_configs "$REG_DIR/cfg/xavp.cfg" 'listen=udp:127.0.0.1:%s\nlisten=udp:127.0.0.2:%s\n'
    kamailio -f "$WORK/kamailio.cfg" -DD -E -w "$WORK" "$@" > "$WORK/kamailio-$pass.log" 2>&1 &
    KAM_PID=$!
    PIDS="$PIDS $KAM_PID"
    start_siphost "$WORK/siphost.cfg" "$@"
    wait_port 5071 "$KAM_PID"
    python3 "$REG_DIR/reg_xavp.py" 5071 > "$WORK/kamailio-$pass.replies" 2>&1 ||
        fail "$pass: Kamailio did not answer: $(cat "$WORK/kamailio-$pass.replies")"
    python3 "$REG_DIR/reg_xavp.py" 5072 > "$WORK/siphost-$pass.replies" 2>&1 ||
        fail "$pass: siphost did not answer: $(cat "$WORK/siphost-$pass.replies")"
    stop_siphost
    cp "$WORK/siphost.log" "$WORK/siphost-$pass.log"
    kill -TERM "$KAM_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$KAM_PID" 2>/dev/null || break; sleep 0.05; done
    script_lines "$WORK/kamailio-$pass.log" > "$WORK/kamailio-$pass.lines"
    script_lines "$WORK/siphost-$pass.log" > "$WORK/siphost-$pass.lines"
    [ -s "$WORK/kamailio-$pass.lines" ] || fail "$pass: Kamailio logged nothing: $(tail -n 20 "$WORK/kamailio-$pass.log")"
    if ! diff -u "$WORK/kamailio-$pass.lines" "$WORK/siphost-$pass.lines" > "$WORK/$pass-lines.diff" ||
        ! diff -u "$WORK/kamailio-$pass.replies" "$WORK/siphost-$pass.replies" > "$WORK/$pass-replies.diff"; then
        echo "DIFFERENT (- Kamailio, + siphost):"
        cat "$WORK/$pass-lines.diff" "$WORK/$pass-replies.diff"
        fail "$pass: siphost's registrar does not do what Kamailio's does"
    fi
    echo "PASS: $pass: $(wc -l < "$WORK/siphost-$pass.lines") lines and $(wc -l < "$WORK/siphost-$pass.replies") reply lines as Kamailio's"
}

run_pass all-fields
# What the comparison stands on, said outright (so that a Kamailio that changed would show here too).
L="$WORK/siphost-all-fields.lines"
grep -q '^lookup-alice: lookup rc=1 ru=sip:alice@127.0.0.1:5082 du=sip:10.9.9.9:5099 ruid=\(R[0-9]*\) rcd=\[\1|sip:alice@127.0.0.1:5082|300-ish|sip:10.9.9.9:5099|<null>\]' "$L" ||
    fail "lookup() did not set \$ruid and xavp_rcd for the best contact: $(grep '^lookup-alice' "$L")"
grep -q '^lookup-alice: lookup rc=1 .* branch0=\[sip:alice@127.0.0.1:5081|R[0-9]*|500|sip:10.9.9.9:5099|<null>\] branches=1' "$L" ||
    fail "the other contact's branch lacks its ruid, q or destination: $(grep '^lookup-alice: lookup' "$L")"
grep -q '^max-contacts-1-of-2: save rc=-2 ' "$L" || fail "\$xavp(reg=>max_contacts) 1 did not refuse two contacts"
grep -q '^expires-and-q: save rc=1 rcd=\[R[0-9]*|sip:carol@127.0.0.1:5081|600|' "$L" ||
    fail "\$xavp(reg=>expires) did not replace the Contact's expires"
grep -q '^registered-other-callid: registered rc=-1 ' "$L" || fail "match_callid did not refuse another Call-ID"
grep -q '^lookup-dave: lookup rc=1 .*|<sip:127.0.0.1:5096;lr>\]' "$L" || fail "xavp_rcd has no path"
# match_action 1 (restore the contact's xavps: without usrloc's xavp_contact there are none) still matches and
# fills xavp_rcd; 3 matches and leaves it alone.
grep -q '^registered-restore: registered rc=1 rcd=\[R[0-9]*|sip:alice@127.0.0.1:5082|' "$L" ||
    fail "match_action 1: $(grep '^registered-restore:' "$L")"
grep -q '^registered-restore-no-rcd: registered rc=1 rcd=\[<null>|<null>|<null>\]' "$L" ||
    fail "match_action 3: $(grep '^registered-restore-no-rcd:' "$L")"
# sock_flag without sock_hdr_name: the xavp_cfg socket, and no header.
grep -q '^sock-header-fs: lookup rc=1 .* fs=udp:127.0.0.1:PORT$' "$L" || fail "X-Sock was read without sock_hdr_name"
grep -q '^sock-header-empty-fs: lookup rc=1 .* fs=udp:127.0.0.2:PORT$' "$L" || fail "the xavp_cfg socket was not stored"
run_pass mask -A WITH_MASK
grep -q '^lookup-dave: lookup rc=1 .*|null|<null>|<null>\]' "$WORK/siphost-mask.lines" ||
    grep -q '^lookup-dave: lookup rc=1 .*|none|<null>|<null>\]' "$WORK/siphost-mask.lines" ||
    fail "xavp_rcd_mask 20 did not leave expires and path out: $(grep '^lookup-dave' "$WORK/siphost-mask.lines")"
run_pass sock-hdr -A WITH_SOCK_HDR
# sock_hdr_name (as Kamailio 5.6.3 does, measured): the header's socket, the xavp's never; the header only with
# sock_flag; a non-local one, or an empty header, keeps the REGISTER's; a missing proto or port matches any.
L="$WORK/siphost-sock-hdr.lines"
grep -q '^sock-header-fs: lookup rc=1 .* fs=udp:127.0.0.2:PORT$' "$L" || fail "sock_hdr_name's socket was not stored"
grep -q '^sock-header-and-xavp-fs: lookup rc=1 .* fs=udp:127.0.0.1:PORT$' "$L" || fail "the xavp won over sock_hdr_name"
grep -q '^sock-header-no-flag-fs: lookup rc=1 .* fs=udp:127.0.0.1:PORT$' "$L" || fail "sock_hdr_name without sock_flag"
grep -q '^sock-header-non-local-fs: lookup rc=1 .* fs=udp:127.0.0.1:PORT$' "$L" || fail "a non-local socket was stored"
grep -q 'sock_hdr_name X-Sock: non-local socket <udp:10.1.1.1:5060>' "$WORK/siphost-sock-hdr.log" ||
    fail "no error for the non-local socket in sock_hdr_name's header"
grep -q '^sock-header-any-port-fs: lookup rc=1 .* fs=udp:127.0.0.2:PORT$' "$L" || fail "'127.0.0.2' did not match"
grep -q '^sock-header-empty-fs: lookup rc=1 .* fs=udp:127.0.0.1:PORT$' "$L" || fail "an empty header fell back to the xavp"
# What siphost refuses when it reads the config, each with its reason.
refused() {
    what=$1; param=$2; route=$3; expected=$4
    printf '#!KAMAILIO\nlisten=udp:127.0.0.1:5060\nloadmodule "sl.so"\nloadmodule "pv.so"\nloadmodule "usrloc.so"\nloadmodule "registrar.so"\n%s\nrequest_route { %s }\n' \
        "$param" "$route" > "$WORK/refused.cfg"
    "$SIPHOST" -c -L "$MODULES" -f "$WORK/refused.cfg" > "$WORK/refused.out" 2>&1 && fail "$what was accepted"
    grep -q "$expected" "$WORK/refused.out" || fail "$what: no '$expected' in: $(cat "$WORK/refused.out")"
}
refused "an xavp_cfg that is no xavp name" 'modparam("registrar", "xavp_cfg", "re g")' 'save("location");' \
    "xavp_cfg 're g' is not an xavp name"
refused "match_action 4" 'modparam("registrar", "xavp_cfg", "reg")' 'registered("location", "$ru", 2, 4);' \
    "match_action must be a constant: a sum of 1"
refused "match_option 8" 'modparam("registrar", "xavp_cfg", "reg")' 'registered("location", "$ru", 8);' \
    "match_option must be a constant"
refused "a sock_hdr_name that is no header name" 'modparam("registrar", "sock_hdr_name", "X-Sock:")' 'save("location");' \
    "sock_hdr_name 'X-Sock:' is not a header name"
refused "xavp_rcd_mask 64" 'modparam("registrar", "xavp_rcd_mask", 64)' 'save("location");' \
    "xavp_rcd_mask must be a sum of"
refused "a \$branch field Kamailio does not have" '' '$var(a) = $branch(instance);' \
    "siphost's \$branch has uri, dst_uri, path, q, flags, send_socket, ruid and count"
refused "a negative \$branch index" '' '$var(a) = $(branch(ruid)[-1]);' "\$branch takes an index from 0 on"
echo "PASS: xavp_cfg, xavp_rcd, \$ruid and sock_hdr_name as Kamailio 5.6's; bad settings refused at start"
