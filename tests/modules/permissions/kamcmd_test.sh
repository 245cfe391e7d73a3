# permissions' RPC commands through Debian's kamcmd over ctl, side by side with Kamailio 5.6 on the same
# address file: the dumps must read the same (less Kamailio's "table:" hash bucket lines), a reload answers
# "Reload OK" and a second one within reload_delta "ongoing reload"; then siphost alone: a corrupt file makes
# addressReload fail with the line named while the old table stays.
. "$SOURCE_DIR/tests/integration/lib.sh"

command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio)"
KMODS=/usr/lib/x86_64-linux-gnu/kamailio/modules
[ -f "$KMODS/permissions.so" ] || fail "Kamailio's permissions module is missing in $KMODS"

cat > "$WORK/address.list" <<'LIST'
# groups of the test
1 127.0.0.2 32 0 first
1 192.0.2.9
2 10.0.0.0 8 5060 net
3 sip.example.org 0 0 dom
4 [2001:db8::7] 128 5061 v6
LIST

config() { # config NAME SIP_PORT SOCKET [mpath line]
    cat <<CFG
#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:$2
${4:-}
loadmodule "ctl.so"
loadmodule "sl.so"
loadmodule "permissions.so"
modparam("ctl", "binrpc", "unix:$3")
modparam("permissions", "address_file", "$WORK/address.list")
modparam("permissions", "load_backends", 1)
request_route { sl_send_reply("404", "Not Here"); }
CFG
}

dump_all() { # dump_all SOCKET: the three dumps and two reloads, without Kamailio's hash bucket lines
    for c in permissions.addressDump permissions.subnetDump permissions.domainDump permissions.addressReload \
             permissions.addressReload; do
        echo "== $c"
        # One line per record, sorted: Kamailio lists them in the order of its hash buckets.
        timeout 10 kamcmd -s "unix:$1" "$c" 2>&1 | grep -v "^	table: " |
            awk '/^\{$/ { rec = "{"; next } /^\}$/ { print rec " }"; rec = ""; next }
                 rec != "" { gsub(/^[ \t]+/, ""); rec = rec " " $0; next } { print }' | sort
    done
}

wait_socket() {
    for _ in $(seq 1 100); do [ -S "$1" ] && return 0; sleep 0.05; done
    fail "no control socket $1"
}

config kamailio 5182 "$WORK/k.sock" "mpath=\"$KMODS/\"" > "$WORK/kamailio.cfg"
kamailio -f "$WORK/kamailio.cfg" -DD -E > "$WORK/kamailio.log" 2>&1 &
KPID=$!
PIDS="$PIDS $KPID"
wait_socket "$WORK/k.sock"
dump_all "$WORK/k.sock" > "$WORK/kamailio.out"
kill -TERM "$KPID"; wait "$KPID" 2>/dev/null

config siphost 5180 "$WORK/s.sock" > "$WORK/siphost.cfg"
start_siphost "$WORK/siphost.cfg"
wait_socket "$WORK/s.sock"
dump_all "$WORK/s.sock" > "$WORK/siphost.out"
grep -q "Reload OK" "$WORK/kamailio.out" || fail "Kamailio's output looks wrong: $(cat "$WORK/kamailio.out")"
diff -u "$WORK/kamailio.out" "$WORK/siphost.out" > "$WORK/dumps.diff" ||
    fail "the RPC replies differ from Kamailio 5.6's: $(cat "$WORK/dumps.diff")"

kc() { timeout 10 kamcmd -s "unix:$WORK/s.sock" "$@"; }
sleep 5.2 # reload_delta (5 s) since the last reload
before=$(kc permissions.addressDump)
printf '1 127.0.0.1\n1 10.1.1.1 32 x\n' > "$WORK/address.list"
out=$(kc permissions.addressReload 2>&1)
echo "$out" | grep -q "error: 500 - Reload failed: address file $WORK/address.list line 2: bad port \"x\"" ||
    fail "a corrupt file did not fail the reload with its line: $out"
[ "$(kc permissions.addressDump)" = "$before" ] || fail "a failed reload changed the table"
grep -q "address table reload failed, the old table stays" "$WORK/siphost.log" || fail "the failure was not logged"
stop_siphost
echo "PASS: permissions' RPC replies match Kamailio 5.6 through kamcmd; a failed reload keeps the table"
