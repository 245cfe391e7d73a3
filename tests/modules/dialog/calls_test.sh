# The dialog module over the wire: sipp calls through siphost (tm, record_route, dlg_manage), read with Debian's
# kamcmd through ctl. 1: kamcmd dlg.list shows the call confirmed, the UAC's BYE ends it. 2: kamcmd
# dlg.end_dlg ends a confirmed call: the proxy sends BYE to the UAC and to the UAS. 3: fifty calls at once.
. "$SOURCE_DIR/tests/integration/lib.sh"
HERE="$SOURCE_DIR/tests/modules/dialog"
command -v kamcmd > /dev/null || fail "kamcmd is not installed (Debian package kamailio)"
SOCK="$WORK/ctl.sock"
kc() { timeout 10 kamcmd -s "unix:$SOCK" "$@" < /dev/null; }

# wait_confirmed: polls dlg.list (at most 5 s) until one dialog is in state 4; leaves it in $WORK/list.txt
wait_confirmed() {
    for _ in $(seq 1 100); do
        kc dlg.list > "$WORK/list.txt" 2>&1
        grep -q "^	state: 4$" "$WORK/list.txt" && return 0
        sleep 0.05
    done
    cat "$WORK/list.txt"
    fail "dlg.list never showed a confirmed dialog"
}

expect_in() { # FILE LINE: the file has this exact line
    grep -q -x -F -- "$2" "$1" || { cat "$1"; fail "expected the line '$2' in $(basename "$1")"; }
}

start_siphost "$HERE/dialog_proxy.cfg" -A "CTL_SOCK=\"unix:$SOCK\""
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || fail "ctl did not create $SOCK"

# ---- 1: the call is listed while up, and the UAC's BYE ends it ----
start_uas 5080 1 -sf "$HERE/uas.xml"
run_uac 127.0.0.1:5060 1 -sf "$HERE/uac_call.xml" &
UAC_PID=$!
wait_confirmed
L="$WORK/list.txt"
expect_in "$L" "	from_uri: sip:sipp@127.0.0.1:5070"
expect_in "$L" "	to_uri: sip:service@127.0.0.1:5060"
expect_in "$L" "	lifetime: 43200"
expect_in "$L" "		contact: sip:sipp@127.0.0.1:5070"
expect_in "$L" "		contact: sip:127.0.0.1:5080;transport=UDP"
expect_in "$L" "		socket: udp:127.0.0.1:5060"
expect_in "$L" "		inbound: "
expect_in "$L" "		caller: sipp"
expect_in "$L" "		who: sipp"
grep -Eq "^	call-id: 1-[0-9]+@127.0.0.1$" "$L" || fail "dlg.list has no call-id: $(cat "$L")"
grep -Eq "^		tag: [0-9]+SIPpTag001$" "$L" || fail "dlg.list has no caller tag: $(cat "$L")"
grep -Eq "^		tag: [0-9]+SIPpTag011$" "$L" || fail "dlg.list has no callee tag: $(cat "$L")"
kc dlg.stats_active > "$WORK/stats.txt" 2>&1
expect_in "$WORK/stats.txt" "	ongoing: 1"
expect_in "$WORK/stats.txt" "	all: 1"
[ "$(kc dlg.profile_get_size caller)" = 1 ] || fail "dlg.profile_get_size caller is not 1"
[ "$(kc dlg.profile_get_size caller sipp)" = 1 ] || fail "dlg.profile_get_size caller sipp is not 1"
[ "$(kc dlg.profile_get_size caller other)" = 0 ] || fail "dlg.profile_get_size caller other is not 0"
kc dlg.profile_get_size nope > "$WORK/nope.txt" 2>&1
expect_in "$WORK/nope.txt" "error: 404 - Profile not found: nope"
kc dlg.end_dlg 1 999999 > "$WORK/end.txt" 2>&1
expect_in "$WORK/end.txt" "error: 404 - Dialog not found"
wait "$UAC_PID" || fail "the UAC's call failed"
wait_uas || fail "the UAS did not get the UAC's BYE"
kc dlg.list > "$WORK/after.txt" 2>&1
[ -s "$WORK/after.txt" ] && { cat "$WORK/after.txt"; fail "the BYE did not end the dialog"; }
expect_log "in-dialog BYE of dialog [0-9]+:[0-9]+ state 5 var sipp" 1

# ---- 2: dlg.end_dlg ends a confirmed call with a BYE to each side ----
start_uas 5080 1 -sf "$HERE/uas.xml"
run_uac 127.0.0.1:5060 1 -sf "$HERE/uac_wait_bye.xml" &
UAC_PID=$!
wait_confirmed
h_entry=$(sed -n 's/^	h_entry: //p' "$WORK/list.txt")
h_id=$(sed -n 's/^	h_id: //p' "$WORK/list.txt")
out=$(kc dlg.end_dlg "$h_entry" "$h_id" 2>&1) || fail "dlg.end_dlg $h_entry $h_id: $out"
[ -z "$out" ] || fail "dlg.end_dlg answered '$out'"
wait "$UAC_PID" || fail "the UAC did not get the proxy's BYE"
wait_uas || fail "the UAS did not get the proxy's BYE"
kc dlg.list > "$WORK/after.txt" 2>&1
[ -s "$WORK/after.txt" ] && { cat "$WORK/after.txt"; fail "dlg.end_dlg did not end the dialog"; }

# ---- 3: 50 calls at once (25 a second, each up 3 s): all tracked, all ended by their BYE ----
start_uas 5080 50 -sf "$HERE/uas.xml"
run_uac 127.0.0.1:5060 50 -r 25 -l 100 -sf "$HERE/uac_call.xml" &
UAC_PID=$!
sleep 2.5
active=$(kc dlg.stats_active | sed -n 's/^	all: //p')
[ "${active:-0}" -ge 40 ] || fail "dlg.stats_active counts $active dialogs while 50 calls are up"
wait "$UAC_PID" || fail "some of the 50 calls failed"
wait_uas || fail "the UAS's side of the 50 calls failed"
kc dlg.list > "$WORK/after.txt" 2>&1
[ -s "$WORK/after.txt" ] && { head -n 20 "$WORK/after.txt"; fail "dialogs are left after the 50 BYEs"; }

kc stats.get_statistics dialog: > "$WORK/dstats.txt" 2>&1
expect_in "$WORK/dstats.txt" "dialog:processed_dialogs = 52"
expect_in "$WORK/dstats.txt" "dialog:active_dialogs = 0"
expect_in "$WORK/dstats.txt" "dialog:failed_dialogs = 0"
stop_siphost
echo "PASS: dialogs are tracked, listed, ended by BYE and by dlg.end_dlg"
