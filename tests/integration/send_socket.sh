#!/bin/sh
# force_send_socket(): a relayed request leaves from the socket the script chose, with that socket in its Via,
# statelessly (forward) and statefully (t_relay_to_udp); $fs names it; a socket of another protocol is not used.
. "$(dirname "$0")/lib.sh"

start_siphost "$SOURCE_DIR/tests/integration/cfg/send_socket.cfg"
/usr/bin/python3 "$SOURCE_DIR/tests/integration/send_socket_peer.py" \
    stateless-second=127.0.0.2:5060 stateful-second=127.0.0.2:5060 stateful-first=127.0.0.1:5060 \
    stateful-tcp-forced=127.0.0.1:5060 > "$WORK/peer.log" 2>&1 ||
    fail "the peers saw the wrong source: $(cat "$WORK/peer.log")"
grep -q "stateless-second fs=udp:127.0.0.2:5060" "$WORK/siphost.log" || fail "\$fs did not name the forced socket"
grep -q "stateful-first fs=<null>" "$WORK/siphost.log" || fail "\$fs was not null without force_send_socket"
grep -q "stateful-tcp-forced fs=tcp:127.0.0.1:5060" "$WORK/siphost.log" || fail "\$fs did not name the TCP socket"
stop_siphost

# A socket the config does not listen on is refused when the config is checked, as Kamailio's fixup does.
sed 's/force_send_socket(udp:127.0.0.2:5060)/force_send_socket(udp:127.0.0.9:5060)/' \
    "$SOURCE_DIR/tests/integration/cfg/send_socket.cfg" > "$WORK/bad.cfg"
"$SIPHOST" -c -L "$MODULES" -f "$WORK/bad.cfg" > "$WORK/check.log" 2>&1 && fail "siphost -c accepted a socket it does not listen on"
grep -q "bad force_send_socket argument 'udp:127.0.0.9:5060': siphost does not listen on it" "$WORK/check.log" ||
    fail "siphost -c did not name the bad socket: $(cat "$WORK/check.log")"
echo "PASS: force_send_socket chooses the socket a relayed request leaves from"
