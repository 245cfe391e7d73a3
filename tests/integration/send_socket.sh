#!/bin/sh
# force_send_socket(): a relayed request leaves from the socket the script chose, with that socket in its Via,
# statelessly (forward) and statefully (t_relay_to_udp); $fs names it; a socket of another protocol is not used;
# a target of the destination set leaves from its own socket, or from the one its destination picks. The same
# config and peers run on Kamailio 5.6 too, so each expectation is what Kamailio does.
. "$(dirname "$0")/lib.sh"
. "$SOURCE_DIR/tests/compat/compat_lib.sh"
kamailio_config "$SOURCE_DIR/tests/integration/cfg/send_socket.cfg" "$WORK/kamailio.cfg"

CASES="stateless-second=5080@127.0.0.2:5060 stateful-second=5080@127.0.0.2:5060
    stateful-first=5080@127.0.0.1:5060 stateful-tcp-forced=5080@127.0.0.1:5060
    late-append=5080@127.0.0.2:5060,5081@127.0.0.1:5060 empty-q=5080@127.0.0.1:5060,5081@127.0.0.2:5060"
MOVED="empty-q moved: du=<null> fs=<null> bf=00000000 count=1 uri=sip:empty-q@127.0.0.1 dst=sip:127.0.0.1:5081 socket=udp:127.0.0.2:5060 q=500 flags=8"

for server in kamailio siphost; do
    if [ $server = kamailio ]; then
        start_kamailio "$WORK/kamailio.cfg" udp 5060
    else
        start_siphost "$SOURCE_DIR/tests/integration/cfg/send_socket.cfg"
    fi
    # shellcheck disable=SC2086
    /usr/bin/python3 "$SOURCE_DIR/tests/integration/send_socket_peer.py" $CASES > "$WORK/peer-$server.log" 2>&1 ||
        fail "$server: the peers saw the wrong source: $(cat "$WORK/peer-$server.log")"
    grep -q -F "$MOVED" "$WORK/$server.log" || fail "$server: append_branch(\"\", q) did not move the targets' fields"
    grep -q "stateless-second fs=udp:127.0.0.2:5060" "$WORK/$server.log" || fail "$server: \$fs did not name the forced socket"
    grep -q "stateful-first fs=<null>" "$WORK/$server.log" || fail "$server: \$fs was not null without force_send_socket"
    grep -q "stateful-tcp-forced fs=tcp:127.0.0.1:5060" "$WORK/$server.log" || fail "$server: \$fs did not name the TCP socket"
    if [ $server = kamailio ]; then stop_kamailio 5060; else stop_siphost; fi
done

# A socket the config does not listen on is refused when the config is checked, as Kamailio's fixup does.
sed 's/force_send_socket(udp:127.0.0.2:5060)/force_send_socket(udp:127.0.0.9:5060)/' \
    "$SOURCE_DIR/tests/integration/cfg/send_socket.cfg" > "$WORK/bad.cfg"
"$SIPHOST" -c -L "$MODULES" -f "$WORK/bad.cfg" > "$WORK/check.log" 2>&1 && fail "siphost -c accepted a socket it does not listen on"
grep -q "bad force_send_socket argument 'udp:127.0.0.9:5060': siphost does not listen on it" "$WORK/check.log" ||
    fail "siphost -c did not name the bad socket: $(cat "$WORK/check.log")"
echo "PASS: force_send_socket chooses the socket a relayed request leaves from, as Kamailio does"
