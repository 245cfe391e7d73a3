#!/bin/sh
# registrar + usrloc (db_mode 0) between sipp peers: register, refresh, query, unregister one and "*", 423,
# max_contacts, Path, CSeq order, and bad requests that must get Kamailio's 4xx and store nothing.
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"

start_siphost "$REG_DIR/cfg/registrar.cfg"

expect_request "a first REGISTER is answered 200 with its binding" \
    5071 REGISTER alice c-alice 1 200 'Contact: <sip:alice@127.0.0.1:5080>
Expires: 600' '+Contact: <sip:alice@127\.0\.0\.1:5080>;expires=(600|59[0-9])'
expect_request "a second contact is added; the 200 lists both" \
    5071 REGISTER alice c-alice 2 200 'Contact: <sip:alice@127.0.0.1:5081>;q=0.5;expires=300' \
    '+Contact: <sip:alice@127\.0\.0\.1:5080>;expires=(600|59[0-9])' \
    '+Contact: <sip:alice@127\.0\.0\.1:5081>;expires=(300|29[0-9]);q=0\.5'
expect_request "a refresh with a new expires updates the binding" \
    5071 REGISTER alice c-alice 3 200 'Contact: <sip:alice@127.0.0.1:5080>
Expires: 1200' '+Contact: <sip:alice@127\.0\.0\.1:5080>;expires=(1200|119[0-9])'
expect_request "a query (no Contact) lists the bindings" \
    5071 REGISTER alice c-other 1 200 '' '+sip:alice@127\.0\.0\.1:5080>;expires=(1200|119[0-9])' \
    '+sip:alice@127\.0\.0\.1:5081>;expires='
expect_request "the same Call-ID with a lower CSeq is refused" \
    5071 REGISTER alice c-alice 2 400 'Contact: <sip:alice@127.0.0.1:5080>
Expires: 60' '+P-Registrar-Error: Invalid CSeq number'
expect_request "an expires below min_expires gets 423 with Min-Expires" \
    5071 REGISTER alice c-alice 10 423 'Contact: <sip:alice@127.0.0.1:5082>
Expires: 1' '+Min-Expires: 2'
expect_request "max_contacts (3): a fourth contact is refused with 503" \
    5071 REGISTER alice c-alice 11 503 'Contact: <sip:alice@127.0.0.1:5082>, <sip:alice@127.0.0.1:5083>' \
    '+P-Registrar-Error: Too many registered contacts'
expect_request "a broken Contact gets 400" \
    5071 REGISTER alice c-alice 12 400 'Contact: <sip:alice@127.0.0.1:5084' '+P-Registrar-Error: Contact parse error'
expect_request "a huge Expires gets 400" \
    5071 REGISTER alice c-alice 13 400 'Contact: <sip:alice@127.0.0.1:5084>
Expires: 99999999999999999999' '+P-Registrar-Error: Expires parse error'
# 1000 contacts in 100 Contact lines of 10 (one line that long is refused by the host's parser already).
many=$(i=0; while [ $i -lt 1000 ]; do
    [ $((i % 10)) = 0 ] && { [ $i -gt 0 ] && echo; printf 'Contact: '; } || printf ', '
    printf '<sip:m%d@127.0.0.1>' $i; i=$((i + 1)); done)
expect_request "1000 contacts get 503" 5071 REGISTER alice c-alice 14 503 "$many" \
    '+P-Registrar-Error: Too many registered contacts'
expect_request "'*' with a nonzero Expires gets 400" \
    5071 REGISTER alice c-alice 15 400 'Contact: *
Expires: 5' '+P-Registrar-Error: \* used in contact and expires is not zero'
expect_request "nothing of the refused requests was stored" \
    5071 REGISTER alice c-other 2 200 '' '+sip:alice@127\.0\.0\.1:5080>' '+sip:alice@127\.0\.0\.1:5081>' \
    '-5082' '-5083' '-5084' '-m0@' '-m999@'
expect_request "registered() sees alice" 5071 OPTIONS alice c-opt 1 200 ''
expect_request "expires=0 removes one binding" \
    5071 REGISTER alice c-alice 16 200 'Contact: <sip:alice@127.0.0.1:5081>;expires=0' \
    '+sip:alice@127\.0\.0\.1:5080>' '-5081'
expect_request "'*' with Expires 0 removes every binding" \
    5071 REGISTER alice c-alice 17 200 'Contact: *
Expires: 0' '-Contact:'
expect_request "registered() no longer sees alice" 5071 OPTIONS alice c-opt 2 404 ''
expect_request "Path is stored and echoed when supported" \
    5071 REGISTER carol c-carol 1 200 'Contact: <sip:carol@10.0.0.1:5060>
Path: <sip:127.0.0.1:5090;lr>
Supported: path
Expires: 600' '+Path: <sip:127\.0\.0\.1:5090;lr>' '+sip:carol@10\.0\.0\.1:5060>;expires='

# A REGISTER without To: the host or the registrar refuses it with a 400; either way nothing is stored.
REG_N=$((REG_N + 1))
printf 'REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bKnoto\r\nFrom: <sip:dave@127.0.0.1>;tag=1\r\nCall-ID: c-noto\r\nCSeq: 1 REGISTER\r\nContact: <sip:dave@127.0.0.1:5085>\r\nContent-Length: 0\r\n\r\n' > "$WORK/noto.txt"
python3 - "$WORK/noto.txt" > "$WORK/noto.reply" <<'PY' || fail "no reply to a REGISTER without To"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 5071))
s.settimeout(3)
s.sendto(open(sys.argv[1], "rb").read(), ("127.0.0.1", 5060))
try:
    print(s.recv(65535).decode(errors="replace").split("\r\n")[0])
except socket.timeout:
    print("no reply")
PY
grep -q "^SIP/2.0 400" "$WORK/noto.reply" || fail "a REGISTER without To got: $(cat "$WORK/noto.reply")"
expect_request "dave was not stored" 5071 OPTIONS dave c-opt 3 404 ''

stop_siphost
# (A contact added to an AOR that has one is 1, as in Kamailio 5.6.3: 2 is for a refresh.)
expect_log '<script>: save 1 for sip:alice@127\.0\.0\.1' 2
expect_log '<script>: save 2 for sip:alice@127\.0\.0\.1' 1
expect_log '<script>: save 4 for sip:alice@127\.0\.0\.1' 2
expect_log '<script>: save 3 for sip:alice@127\.0\.0\.1' 2
expect_log 'counters:.* registrar\.rejected_regs=7( |$)' 1
echo "PASS: registrar basic flow"
