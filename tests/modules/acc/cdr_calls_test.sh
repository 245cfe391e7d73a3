# acc's CDRs over the wire: one sipp call (up 3 s) through siphost with dialog and acc (cdr_enable): the log
# has one CDR line as Kamailio writes it, with the call's times, Call-ID, tags and the cdr_extra values.
. "$SOURCE_DIR/tests/integration/lib.sh"
CALLS="$SOURCE_DIR/tests/modules/dialog"

start_siphost "$SOURCE_DIR/tests/modules/acc/cdr_proxy.cfg"
start_uas 5080 1 -sf "$CALLS/uas.xml" -trace_msg -message_file "$WORK/uas_messages.log"
run_uac 127.0.0.1:5060 1 -sf "$CALLS/uac_call.xml" -trace_msg -message_file "$WORK/uac_messages.log" ||
    fail "the call failed"
wait_uas || fail "the UAS's side of the call failed"
for _ in $(seq 1 40); do grep -q "acc: start_time=" "$WORK/siphost.log" && break; sleep 0.05; done
expect_log "acc: start_time=" 1
line=$(grep -o "acc: start_time=.*" "$WORK/siphost.log" | sed 's/^acc: //')
echo "CDR: $line"
field() { printf '%s\n' "$line" | tr ';' '\n' | sed 's/^ //' | sed -n "s/^$1=//p"; }

# Kamailio's form: the core fields first, "; " between items.
printf '%s\n' "$line" | grep -Eq '^start_time=[0-9]{10}\.[0-9]{6}; end_time=[0-9]{10}\.[0-9]{6}; duration=[0-9]+\.[0-9]{6}; callid=' ||
    fail "the CDR line is not in Kamailio's form: $line"
start=$(field start_time); end=$(field end_time); duration=$(field duration)
awk -v s="$start" -v e="$end" -v d="$duration" 'BEGIN { diff = e - s - d; if (diff < 0) diff = -diff;
    exit !(d >= 2.9 && d < 10 && diff < 0.001) }' ||
    fail "duration $duration is not end - start ($end - $start) for a call up 3 s"
now=$(date +%s)
awk -v e="$end" -v n="$now" 'BEGIN { exit !(n - e < 30 && e - n < 30) }' || fail "end_time $end is not now ($now)"

# The call's identity, as sipp sent it.
call_id=$(sed -n 's/^Call-ID: *//Ip' "$WORK/uac_messages.log" | head -n 1 | tr -d '\r')
from_tag=$(grep -i -m 1 '^From:' "$WORK/uac_messages.log" | sed 's/.*;tag=//' | tr -d '\r')
to_tag=$(grep -i '^To:.*;tag=' "$WORK/uas_messages.log" | head -n 1 | sed 's/.*;tag=//' | tr -d '\r')
[ -n "$call_id" ] && [ -n "$from_tag" ] && [ -n "$to_tag" ] || fail "cannot read the call's identity from sipp's traces"
[ "$(field callid)" = "$call_id" ] || fail "callid is '$(field callid)', the call's is '$call_id'"
[ "$(field from_tag)" = "$from_tag" ] || fail "from_tag is '$(field from_tag)', the call's is '$from_tag'"
[ "$(field to_tag)" = "$to_tag" ] || fail "to_tag is '$(field to_tag)', the call's is '$to_tag'"
[ "$(field src_user)" = "sipp" ] || fail "src_user (\$dlg_var(caller)) is '$(field src_user)', not sipp"
[ "$(field method)" = "BYE" ] || fail "method (\$rm, read from the BYE) is '$(field method)'"
stop_siphost
echo "PASS: one CDR per call with its times, identity and extras"
