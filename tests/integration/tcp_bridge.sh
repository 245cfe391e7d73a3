#!/bin/sh
# Bridging: a caller over UDP to a UAS over TCP (stateful, t_relay_to_tcp), then a caller over TCP to a UAS
# over UDP (stateless, forward()); each leg carries its own transport in the Via siphost adds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tcp_lib.sh"

seed_config stateful 't_relay_to_udp("127.0.0.1", "5080")' 't_relay_to_tcp("127.0.0.1", "5080")' \
    "$WORK/stateful.cfg"
start_siphost "$WORK/stateful.cfg"
start_tcp_uas uas 5080 2 -sf "$SOURCE_DIR/tests/integration/scenarios/tm_uas.xml" -trace_msg \
    -message_file "$WORK/uas-messages.log"
run_uac 127.0.0.1:5060 2 -sn uac -r 2 || fail "UDP to TCP: the calls through siphost failed"
wait_uas || fail "UDP to TCP: the UAS did not complete the calls"
stop_siphost
grep -q "^Via: SIP/2.0/TCP 127.0.0.1:5060;branch=" "$WORK/uas-messages.log" ||
    fail "UDP to TCP: the UAS saw no Via: SIP/2.0/TCP from siphost"
grep -q "^Via: SIP/2.0/UDP 127.0.0.1:5070" "$WORK/uas-messages.log" ||
    fail "UDP to TCP: the caller's UDP Via did not reach the UAS"

mv "$WORK/siphost.log" "$WORK/siphost-udp-to-tcp.log"
sed -e 's/^listen=udp:127\.0\.0\.1:5060/listen=127.0.0.1:5060/' "$SOURCE_DIR/cfg/seed-stateless.cfg" \
    > "$WORK/stateless.cfg"
start_siphost "$WORK/stateless.cfg"
start_uas 5080 2 -sn uas -trace_msg -message_file "$WORK/uas-udp-messages.log"
run_uac 127.0.0.1:5060 2 -sn uac -t t1 -r 2 || fail "TCP to UDP: the calls through siphost failed"
wait_uas || fail "TCP to UDP: the UAS did not complete the calls"
stop_siphost
grep -q "^Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" "$WORK/uas-udp-messages.log" ||
    fail "TCP to UDP: the UAS saw no Via: SIP/2.0/UDP from siphost"
grep -q "^Via: SIP/2.0/TCP 127.0.0.1:5070.*;i=" "$WORK/uas-udp-messages.log" ||
    fail "TCP to UDP: the caller's TCP Via (with its connection) did not reach the UAS"

# A destination URI with ;transport=tcp takes a UDP caller's request over TCP (stateless forward()).
mv "$WORK/siphost.log" "$WORK/siphost-tcp-to-udp.log"
seed_config stateless 'forward("127.0.0.1", 5080)' \
    '$du = "sip:127.0.0.1:5080;transport=tcp"; forward()' "$WORK/transport-param.cfg"
start_siphost "$WORK/transport-param.cfg"
start_tcp_uas uas-uri 5080 1 -sn uas -trace_msg -message_file "$WORK/uas-uri-messages.log"
run_uac 127.0.0.1:5060 1 -sn uac || fail "transport=tcp: the call through siphost failed"
wait_uas || fail "transport=tcp: the UAS did not complete the call"
stop_siphost
grep -q "^Via: SIP/2.0/TCP 127.0.0.1:5060;branch=" "$WORK/uas-uri-messages.log" ||
    fail "transport=tcp: the UAS saw no Via: SIP/2.0/TCP from siphost"
echo "PASS: tcp bridging"
