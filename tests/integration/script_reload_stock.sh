#!/bin/sh
# Hot reload of Debian's stock kamailio.cfg (a copy, with its default defines and then WITH_NAT): bob registers,
# the unchanged config reloads through kamcmd's default socket (every real module's fixups run a second time
# beside the running script), then a copy with one more xlog line in request_route reloads through SIGHUP;
# bob's registration survived (usrloc is not reset), a call to him goes through the new script, and its
# request_route logs the new line.
if [ "${STOCK_PRIVATE_RUN:-0}" != 1 ]; then
    export STOCK_PRIVATE_RUN=1
    exec unshare -m sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/kamailio && exec sh "$0"' "$0"
fi
. "$SOURCE_DIR/tests/modules/registrar/reg_lib.sh"
S="$SOURCE_DIR/tests/integration/scenarios"
STOCK=/etc/kamailio/kamailio.cfg
[ -f "$STOCK" ] || fail "no $STOCK (Debian package kamailio)"
command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
. "$SOURCE_DIR/tests/integration/stock/stock_lib.sh"

# reload_ok NAME: siphost.reload through kamcmd's default socket (/run/kamailio/kamailio_ctl) is taken.
reload_ok() {
    timeout 20 kamcmd siphost.reload > "$WORK/rpc.out" 2>&1
    grep -q "Ok. Script reloaded" "$WORK/rpc.out" || fail "$1: $(cat "$WORK/rpc.out")"
}

for define in "" WITH_NAT; do
    cp "$STOCK" "$WORK/kamailio.cfg"
    run_server siphost "$SIPHOST" -DD -E ${define:+-A $define} -f "$WORK/kamailio.cfg" -L "$MODULES"
    SIPHOST_PID=$SERVER_PID
    who="stock${define:+ $define}"
    expect_request "$who: bob registers" 5071 REGISTER bob "c-bob-$define" 1 200 'Contact: <sip:bob@127.0.0.1:5080>
Expires: 600' '+sip:bob@127\.0\.0\.1:5080>;expires='
    reload_ok "$who: the unchanged config"

    sed 's/^request_route {$/request_route {\n\txlog("L_NOTICE", "reloaded request_route sees $rm\\n");/' \
        "$STOCK" > "$WORK/next.cfg"
    grep -q 'reloaded request_route sees' "$WORK/next.cfg" || fail "the test could not edit the stock config"
    mv "$WORK/next.cfg" "$WORK/kamailio.cfg"
    kill -HUP "$SIPHOST_PID"
    for _ in $(seq 1 200); do
        [ "$(grep -c 'reloaded the routing script' "$WORK/siphost.log")" -ge 2 ] && break
        grep -q 'reload refused' "$WORK/siphost.log" && fail "$who: the edited config was refused"
        sleep 0.05
    done
    [ "$(grep -c 'reloaded the routing script' "$WORK/siphost.log")" = 2 ] || fail "$who: SIGHUP did not reload"

    start_uas 5080 1 -sf "$S/tm_uas.xml"
    run_uac 127.0.0.1:5060 1 -sf "$SOURCE_DIR/tests/modules/registrar/scenarios/call_uac.xml" -s bob ||
        fail "$who: the call to bob after the reloads failed"
    wait_uas || fail "$who: bob's UA did not get the call"
    grep -q 'reloaded request_route sees INVITE' "$WORK/siphost.log" || fail "$who: the new request_route did not run"
    stop_siphost
    stop_server siphost
    mv "$WORK/siphost.log" "$WORK/siphost-${define:-default}.old"
done
echo "PASS: script reload of the stock config"
