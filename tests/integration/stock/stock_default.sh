#!/bin/sh
# Debian's /etc/kamailio/kamailio.cfg, unmodified, with its default defines: Kamailio 5.6 first, then siphost,
# the same requests to each, the same replies expected of both (issue 16, "Debian's stock config"):
# registrations, a call between registered users, a call to an unregistered one, un-registering, and what
# sanity_check() refuses. Then each again with WITH_NAT (no media relay runs: rtpproxy_manage fails and the
# call goes on, as on Kamailio): a phone registering with a private Contact is detected (nat_uac_test), its
# source is saved (fix_nated_register) and calls reach it there. Then with WITH_JSONRPC: JSON-RPC over HTTP on
# port 5060 answers alike on both. Then each again with WITH_ANTIFLOOD: a flood of OPTIONS from one address is cut off
# by pike, the address lands in the ipban hash table and a later request from it gets no answer.
#
# The stock config listens on every address at port 5060 (here only loopback: the test runs in a private
# network namespace) and keeps its control sockets in /run/kamailio: the test runs in a private mount namespace
# too, with a tmpfs on /run, so that a Kamailio installed on the machine is never touched.
if [ "${STOCK_PRIVATE_RUN:-0}" != 1 ]; then
    export STOCK_PRIVATE_RUN=1
    exec unshare -m sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/kamailio && exec sh "$0"' "$0"
fi
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
S="$SOURCE_DIR/tests/integration/scenarios"
STOCK=${STOCK_CONFIG:-/etc/kamailio/kamailio.cfg}
KAMAILIO_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
[ -f "$STOCK" ] || fail "no $STOCK (Debian package kamailio)"
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio)"

. "$SOURCE_DIR/tests/integration/stock/stock_lib.sh"

# the_same_replies NAME: the requests every server must answer alike.
the_same_replies() {
    who=$1
    expect_request "$who: bob registers" 5071 REGISTER bob "c-bob-$who" 1 200 'Contact: <sip:bob@127.0.0.1:5080>
Expires: 600' '+sip:bob@127\.0\.0\.1:5080>;expires='
    start_uas 5080 1 -sf "$S/tm_uas.xml"
    run_uac 127.0.0.1:5060 1 -sf "$SOURCE_DIR/tests/modules/registrar/scenarios/call_uac.xml" -s bob ||
        fail "$who: the call to bob failed"
    wait_uas || fail "$who: bob's UA did not complete the call"
    sed 's/CODE_HERE/404/' "$S/tm_uac_negative.xml" > "$WORK/uac_404.xml"
    run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_404.xml" -s nobody || fail "$who: a call to nobody did not get 404"
    expect_request "$who: a bad Expires is refused by sanity_check" 5073 REGISTER carol "c-carol-$who" 1 400 \
        'Contact: <sip:carol@127.0.0.1:5082>
Expires: soon'
    expect_request "$who: bob un-registers" 5071 REGISTER bob "c-bob-$who" 2 200 'Contact: *
Expires: 0' '-Contact:'
    run_uac 127.0.0.1:5060 1 -sf "$WORK/uac_404.xml" -s bob || fail "$who: a call to bob after he left did not get 404"
}

# behind_nat NAME: a phone with a private Contact registers from port 5073 and is called there.
behind_nat() {
    who=$1
    expect_request "$who: carol registers from behind NAT" 5073 REGISTER carol "c-carol-nat-$who" 1 200 \
        'Contact: <sip:carol@192.168.1.2:5060>
Expires: 600' '+sip:carol@192\.168\.1\.2:5060>;expires=[0-9]+;received="sip:127\.0\.0\.1:5073"'
    start_named_uas carol 5073 1 -sf "$S/tm_uas.xml"
    run_uac 127.0.0.1:5060 1 -sf "$SOURCE_DIR/tests/modules/registrar/scenarios/call_uac.xml" -s carol ||
        fail "$who: the call to carol behind NAT failed"
    wait_uas || fail "$who: carol's phone did not get the call at the address it registered from"
}

# jsonrpc NAME: JSON-RPC over HTTP on the SIP listener (WITH_JSONRPC: xhttp and jsonrpc_dispatch).
jsonrpc() {
    python3 "$SOURCE_DIR/tests/integration/stock/jsonrpc.py" > "$WORK/jsonrpc-$1.txt" 2>&1 ||
        fail "$1: JSON-RPC over HTTP failed: $(cat "$WORK/jsonrpc-$1.txt")"
}

# flood NAME: 60 OPTIONS at once from one address (127.0.0.2, which is not the server's own); the stock config answers the first ones (200 Keepalive),
# pike blocks the rest, and the request after them is dropped as banned.
flood() {
    python3 "$SOURCE_DIR/tests/integration/stock/flood.py" 60 > "$WORK/flood-$1.txt" ||
        fail "$1: the flood did not run"
    read -r result < "$WORK/flood-$1.txt"
    case $result in
        "replies=0 "*) fail "$1: no OPTIONS was answered before the flood was cut off ($result)" ;;
        "replies=60 "*) fail "$1: all 60 OPTIONS were answered: pike did not block ($result)" ;;
        *" late_reply=0") ;;
        *) fail "$1: a request after the ban was answered ($result)" ;;
    esac
    grep -q "ALERT: pike blocking OPTIONS from sip:flood@127.0.0.1 (IP:127.0.0.2:" "$WORK/$1.log" ||
        fail "$1: the stock config's pike alert is not in the log"
}

run_server kamailio kamailio -DD -E -f "$STOCK" -L "$KAMAILIO_MODULES" -w "$WORK"
the_same_replies kamailio
stop_server kamailio
run_server kamailio-nat kamailio -DD -E -A WITH_NAT -f "$STOCK" -L "$KAMAILIO_MODULES" -w "$WORK"
behind_nat kamailio-nat
stop_server kamailio-nat
run_server kamailio-jsonrpc kamailio -DD -E -A WITH_JSONRPC -f "$STOCK" -L "$KAMAILIO_MODULES" -w "$WORK"
jsonrpc kamailio-jsonrpc
stop_server kamailio-jsonrpc
run_server kamailio-antiflood kamailio -DD -E -A WITH_ANTIFLOOD -f "$STOCK" -L "$KAMAILIO_MODULES" -w "$WORK"
flood kamailio-antiflood
stop_server kamailio-antiflood

run_server siphost "$SIPHOST" -DD -E -f "$STOCK" -L "$MODULES"
SIPHOST_PID=$SERVER_PID
the_same_replies siphost
stop_siphost
grep -q -E "ACC: transaction answered:.*method=INVITE" "$WORK/siphost.log" ||
    fail "siphost's acc did not log the answered call"
run_server siphost-nat "$SIPHOST" -DD -E -A WITH_NAT -f "$STOCK" -L "$MODULES"
SIPHOST_PID=$SERVER_PID
behind_nat siphost-nat
stop_server siphost-nat
run_server siphost-jsonrpc "$SIPHOST" -DD -E -A WITH_JSONRPC -f "$STOCK" -L "$MODULES"
SIPHOST_PID=$SERVER_PID
jsonrpc siphost-jsonrpc
stop_server siphost-jsonrpc
cmp -s "$WORK/jsonrpc-kamailio-jsonrpc.txt" "$WORK/jsonrpc-siphost-jsonrpc.txt" ||
    fail "JSON-RPC over HTTP: Kamailio answered $(tr '\n' ' ' < "$WORK/jsonrpc-kamailio-jsonrpc.txt"), siphost $(tr '\n' ' ' < "$WORK/jsonrpc-siphost-jsonrpc.txt")"
run_server siphost-antiflood "$SIPHOST" -DD -E -A WITH_ANTIFLOOD -f "$STOCK" -L "$MODULES"
SIPHOST_PID=$SERVER_PID
flood siphost-antiflood
stop_server siphost-antiflood
echo "PASS: Debian's stock kamailio.cfg, default defines, WITH_NAT, WITH_JSONRPC and WITH_ANTIFLOOD, on Kamailio and on siphost"
