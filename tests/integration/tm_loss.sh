#!/bin/sh
# 10% packet loss on both sides (sipp -lost 10 on the UAC and the UAS), 500 calls at 50 per second through the
# seed's stateful config: tm's retransmissions (requests downstream, final replies upstream) and its absorbing
# of retransmitted requests keep at least 94% of the calls complete. Every failed call must be one whose
# cause sipp's error log names, and which the loss itself explains (a message sipp's stock scenarios did not
# expect at that point, or a call that ran out of retransmissions).
. "$(dirname "$0")/lib.sh"

calls=500
start_siphost "$SOURCE_DIR/cfg/seed-stateful.cfg"
start_uas 5080 "$calls" -sn uas -lost 10 -recv_timeout 30000
run_uac 127.0.0.1:5060 "$calls" -sn uac -r 50 -lost 10 -recv_timeout 30000 -max_retrans 7
wait_uas
stop_siphost

successful=$(sed -n 's/^ *Successful call *| *[0-9]* *| *\([0-9]*\) *$/\1/p' "$WORK/uac.log" | tail -n 1)
failed=$(sed -n 's/^ *Failed call *| *[0-9]* *| *\([0-9]*\) *$/\1/p' "$WORK/uac.log" | tail -n 1)
[ -n "$successful" ] && [ -n "$failed" ] || fail "no call statistics from the UAC"
echo "completed $successful of $calls calls, $failed failed"
[ $((successful * 100)) -ge $((calls * 94)) ] || fail "only $successful of $calls calls completed"

# Explain each failure from sipp's error logs: sipp writes one line per aborted call with what it expected
# and what came instead, or that it ran out of retransmissions. With loss on the UAS side, a UAS whose 180 and 200 were lost aborts when tm's INVITE
# retransmission reaches it (the stock UAS expects only the ACK by then); tm then retransmits until fr_timer
# and answers the UAC 408, which the stock UAC, waiting for 180, calls unexpected (or the UAC's own receive
# timeout, 30 s, comes first). Each failed UAC call must have such a line.
explain() {
    [ -f "$1" ] || return 0
    # sipp does not always end an event with a newline: put each timestamped event on its own line first.
    sed 's/\(20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]\t\)/\n\1/g' "$1" |
    sed -n -e "s/^.*Aborting call on unexpected message for Call-Id '\([^']*\)': while expecting '\([^']*\)'.*received '\([^']*\)$/\1 expected \2, got \3/p" \
        -e "s/^.*Aborting call on UDP retransmission timeout for Call-ID '\([^']*\)'.*$/\1 gave up retransmitting/p" \
        -e "s/^.*Call-Id: \([^,]*\), receive timeout on message \([^ ]* [^ ]* [^ ]*\).*$/\1 timed out waiting at \2/p"
}
explain "$WORK/uac-errors.log" > "$WORK/uac-causes.txt"
explain "$WORK/uas-errors.log" > "$WORK/uas-causes.txt"
echo "---- UAC aborts:"
sed 's/^[^ ]* //' "$WORK/uac-causes.txt" | sort | uniq -c
echo "---- UAS aborts:"
sed 's/^[^ ]* //' "$WORK/uas-causes.txt" | sort | uniq -c
explained=$(grep -c . "$WORK/uac-causes.txt")
if [ "$explained" -lt "$failed" ]; then
    echo "---- the UAC's error events:"
    grep -a -o "[0-9.]*: [A-Z][a-z]* [a-z]* [^']*'[^']*'" "$WORK/uac-errors.log" | grep -v "Dead call" | cut -c1-200
    fail "$failed calls failed but sipp's error log explains only $explained"
fi
# A UAC call aborted on tm's 408 must be one whose UAS aborted first (the cause above), not a loss tm did not
# recover from.
for call in $(grep -v 'gave up retransmitting' "$WORK/uac-causes.txt" | cut -d' ' -f1); do
    grep -q "^$call " "$WORK/uas-causes.txt" || fail "call $call failed although its UAS did not abort"
done
# A UAC that gave up retransmitting (its BYE) must be talking to a UAS that had ended the call already: its
# 200 to the BYE was lost, and the stock UAS ignores the BYE's retransmissions as a "dead call"; or the UAS
# had aborted the call itself (above: its ACK lost until it timed out), and a stock UAS answers nothing then.
for call in $(grep 'gave up retransmitting' "$WORK/uac-causes.txt" | cut -d' ' -f1); do
    grep -q "Dead call $call (successful), received 'BYE" "$WORK/uas-errors.log" ||
        grep -q "^$call " "$WORK/uas-causes.txt" ||
        fail "call $call ran out of retransmissions although its UAS was still in the call"
done
grep -q 'counters:.* tm\.retransmissions=[1-9]' "$WORK/siphost.log" || fail "tm retransmitted nothing"
echo "PASS: tm loss"
