# usrloc's RPC commands through kamcmd against Kamailio 5.6 (Debian's) and siphost, after the same REGISTERs
# to each (registrar's save(), usrloc in memory): ul.dump and ul.lookup must read the same once what two runs
# cannot share is normalised (ruids, registration times, seconds left, the server's port:
# tests/modules/ctl/normalise.py usrloc). The dump nests arrays in structs (Domains, AoRs, Contacts), which
# binrpc carries as structs, and Q is a negative double: both as Kamailio writes them, or kamcmd cannot read
# the reply. A REGISTER without User-Agent is stored with "n/a", as Kamailio stores it.
. "$SOURCE_DIR/tests/integration/lib.sh"
. "$SOURCE_DIR/tests/modules/ctl/kamcmd_compare.sh"

for who in kamailio siphost; do
    port=5180 sock=$KAM_SOCK
    [ "$who" = siphost ] && port=5182 sock=$SIP_SOCK
    { printf '#!KAMAILIO\ndebug=2\nlog_stderror=yes\nchildren=1\nlisten=udp:127.0.0.1:%s\n' "$port"
      [ "$who" = kamailio ] && printf 'mpath="%s/"\n' "$KAM_MODULES"
      printf 'loadmodule "ctl.so"\nloadmodule "sl.so"\nloadmodule "usrloc.so"\nloadmodule "registrar.so"\n'
      printf 'modparam("ctl", "binrpc", "unix:%s")\n' "$sock"
      printf 'request_route { if (!save("location")) sl_reply_error(); exit; }\n'; } > "$WORK/$who.cfg"
done
start_both "$WORK/kamailio.cfg" "$WORK/siphost.cfg"

# The same REGISTERs to both, one at a time, each answered (bounded: 2 s a reply).
python3 - <<'PY' || fail "the REGISTERs were not answered"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 6000))
s.settimeout(2)
registers = [
    ("alice", "a1", ["Contact: <sip:alice@127.0.0.1:6001>;q=0.5", "Contact: <sip:alice@127.0.0.1:6002>",
                     "User-Agent: phone/1.0", "Expires: 300"]),
    ("bob", "b1", ["Contact: <sip:bob@127.0.0.1:6003;transport=udp>;expires=600", "Path: <sip:127.0.0.1:6009;lr>",
                   "Supported: path"]),
]
for port in (5180, 5182):
    for n, (user, callid, headers) in enumerate(registers, 1):
        lines = ["REGISTER sip:127.0.0.1 SIP/2.0", f"Via: SIP/2.0/UDP 127.0.0.1:6000;branch=z9hG4bK-ul-{port}-{n}",
                 f"From: <sip:{user}@127.0.0.1>;tag={n}", f"To: <sip:{user}@127.0.0.1>", f"Call-ID: {callid}",
                 f"CSeq: {n} REGISTER", "Max-Forwards: 70", *headers, "Content-Length: 0", "", ""]
        s.sendto("\r\n".join(lines).encode(), ("127.0.0.1", port))
        reply = s.recv(65535).decode(errors="replace").split("\r\n", 1)[0]
        if not reply.startswith("SIP/2.0 200"):
            sys.exit(f"{user} to {port}: {reply}")
PY

compare_commands <<'LIST'
usrloc|ul.dump
usrloc|ul.lookup location alice
usrloc|ul.lookup location bob
usrloc|ul.lookup location nobody
usrloc|ul.lookup nowhere alice
usrloc|ul.rm location nobody
usrloc|ul.rm nowhere bob
usrloc|ul.rm_contact location alice sip:alice@127.0.0.1:6009
usrloc|ul.rm_contact location nobody sip:alice@127.0.0.1:6001
usrloc|ul.rm_contact location alice
usrloc|ul.rm_contact location alice sip:alice@127.0.0.1:6001
usrloc|ul.lookup
usrloc|ul.rm location bob
usrloc|ul.dump
LIST
stop_siphost
[ "$differences" = 0 ] || fail "siphost's usrloc replies differ from Kamailio's"

# What the comparison stands on, said outright (kamcmd read the whole dump).
kamcmd -s "unix:$KAM_SOCK" ul.dump > /dev/null 2>&1 # Kamailio still runs: its dump reads too
grep -q 'Q: -1$' "$WORK/sip.out" || fail "no Q: -1 in siphost's last dump: $(cat "$WORK/sip.out")"
grep -q 'Max-Slots: 1$' "$WORK/sip.out" || fail "no Max-Slots in siphost's last dump"
grep -q 'User-Agent: phone/1.0$' "$WORK/sip.out" || fail "alice's User-Agent is not in the dump"
echo "PASS: kamcmd reads the same ul.dump and ul.lookup from siphost as from Kamailio 5.6"
