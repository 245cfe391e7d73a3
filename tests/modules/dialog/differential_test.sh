# dlg.* through kamcmd against Kamailio 5.6 (Debian's) and against siphost, on the same config and the same
# sipp call: the replies must have the same shapes once values are normalised (tests/modules/ctl/normalise.py).
# Accepted differences, with their reasons, are in known_differences.txt next to this script.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/dialog"
command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
command -v kamailio > /dev/null || fail "kamailio is not installed (Debian package kamailio)"
KAM_MODULES=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -n 1)
[ -n "$KAM_MODULES" ] || fail "Kamailio's modules are not installed"
KNOWN="$HERE/known_differences.txt"

# The same config for both; Kamailio needs its module path.
sed "s|^listen=.*|&\nmpath=\"$KAM_MODULES/\"|" "$HERE/dialog_proxy.cfg" > "$WORK/kamailio.cfg"

# run_side SIDE: a call held up while the commands run against SIDE's control socket, answers in $WORK/SIDE.*
# (not "name": lib.sh's start_uas sets that)
run_side() {
    side=$1 sock="$WORK/$1.sock"
    if [ "$side" = kamailio ]; then
        kamailio -f "$WORK/kamailio.cfg" -A "CTL_SOCK=\"unix:$sock\"" -DD -E -Y "$WORK" -w "$WORK" \
            -P "$WORK/kamailio.pid" > "$WORK/kamailio.log" 2>&1 &
        SERVER_PID=$!
        PIDS="$PIDS $SERVER_PID"
    else
        start_siphost "$HERE/dialog_proxy.cfg" -A "CTL_SOCK=\"unix:$sock\""
        SERVER_PID=$SIPHOST_PID
    fi
    for _ in $(seq 1 200); do [ -S "$sock" ] && break; sleep 0.05; done
    [ -S "$sock" ] || fail "$side did not create its control socket"
    start_uas 5080 1 -sf "$HERE/uas.xml"
    run_uac 127.0.0.1:5060 1 -sf "$HERE/uac_call.xml" &
    uac=$!
    for _ in $(seq 1 100); do
        kamcmd -s "unix:$sock" dlg.list < /dev/null 2>&1 | grep -q "^	state: 4$" && break
        sleep 0.05
    done
    i=0
    while IFS='|' read -r shape command; do
        [ -z "$shape" ] && continue
        i=$((i + 1))
        kamcmd -s "unix:$sock" $command < /dev/null > "$WORK/$side.$i.out" 2>&1
    done < "$WORK/commands"
    wait "$uac" || fail "the call through $side failed"
    wait_uas || fail "the UAS's call through $side failed"
    kamcmd -s "unix:$sock" dlg.list < /dev/null > "$WORK/$side.after.out" 2>&1
    if [ "$side" = kamailio ]; then
        kill -INT "$SERVER_PID"
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
    else
        stop_siphost
    fi
}

cat > "$WORK/commands" <<'LIST'
tree|dlg.list
tree|dlg.list_ctx
tree|dlg.stats_active
tree|dlg.profile_get_size caller
tree|dlg.profile_get_size caller sipp
tree|dlg.profile_get_size inbound
tree|dlg.profile_get_size nope
tree|dlg.profile_list inbound
tree|dlg.end_dlg 1 999999
tree|dlg.end_dlg
stats|stats.get_statistics dialog:
LIST

run_side kamailio
run_side siphost

differences=0
i=0
while IFS='|' read -r shape command; do
    [ -z "$shape" ] && continue
    i=$((i + 1))
    for side in kamailio siphost; do
        python3 "$SOURCE_DIR/tests/modules/ctl/normalise.py" "$shape" "$WORK/$side.$i.out" > "$WORK/$side.$i.norm" ||
            fail "cannot normalise $side's $command"
    done
    diff -u "$WORK/kamailio.$i.norm" "$WORK/siphost.$i.norm" | tail -n +3 | grep '^[-+]' |
        sed "s|^|$command: |" > "$WORK/diff.txt"
    unknown=$(grep -v -x -F -f "$KNOWN" "$WORK/diff.txt")
    if [ -n "$unknown" ]; then
        echo "DIFFERENT: $command (- Kamailio, + siphost):"
        echo "$unknown"
        echo "  Kamailio said:"; sed 's/^/    /' "$WORK/kamailio.$i.out" | head -n 50
        echo "  siphost said:"; sed 's/^/    /' "$WORK/siphost.$i.out" | head -n 50
        differences=1
    else
        echo "same shape: $command"
    fi
done < "$WORK/commands"
[ -s "$WORK/siphost.after.out" ] && fail "siphost still lists the dialog after the BYE: $(cat "$WORK/siphost.after.out")"
[ "$differences" = 0 ] || fail "siphost's dlg.* replies differ from Kamailio's in shape"
echo "PASS: kamcmd sees the same shapes of dlg.* from siphost as from Kamailio 5.6"
