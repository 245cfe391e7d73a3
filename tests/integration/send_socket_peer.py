#!/usr/bin/env python3
"""A UAC on 127.0.0.1:5090 and two UAS sockets, 127.0.0.1:5080 and 127.0.0.1:5081, in one process. Each argument
is a case, user=PORT@SOURCE[,PORT@SOURCE...]: sends an OPTIONS for sip:user@127.0.0.1 to the proxy at
127.0.0.1:5060, expects one request at each UAS PORT listed, each from the address SOURCE ("ip:port") with that
address in its top Via (a Via without a port counts as 5060, as Kamailio writes it), answers each with a 200 and
waits for the 200 at the UAC. Prints PASS lines, or FAIL with what arrived; bounded by socket timeouts."""
import select
import socket
import sys
import time

UAS_PORTS = (5080, 5081)


def main():
    uac = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    uac.bind(("127.0.0.1", 5090))
    uac.settimeout(5)
    uas = {}
    for port in UAS_PORTS:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", port))
        uas[port] = s
    failed = False
    for n, case in enumerate(sys.argv[1:], 1):
        user, wanted = case.split("=")
        expected = dict((int(port), source) for port, source in (item.split("@") for item in wanted.split(",")))
        request = (f"OPTIONS sip:{user}@127.0.0.1 SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-sock-{n};rport\r\n"
                   f"From: <sip:peer@127.0.0.1>;tag=t{n}\r\nTo: <sip:{user}@127.0.0.1>\r\n"
                   f"Call-ID: send-socket-{n}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        uac.sendto(request.encode(), ("127.0.0.1", 5060))
        arrived = {}
        deadline = time.monotonic() + 3
        while len(arrived) < len(expected) and time.monotonic() < deadline:
            ready, _, _ = select.select(list(uas.values()), [], [], 0.2)
            for s in ready:
                data, source = s.recvfrom(65535)
                arrived[s.getsockname()[1]] = (data.decode(errors="replace"), source)
        for port, source_wanted in expected.items():
            if port not in arrived:
                print(f"FAIL: {user}: nothing reached the UAS on {port}")
                failed = True
                continue
            text, source = arrived[port]
            lines = text.split("\r\n")
            via = next((line for line in lines if line.lower().startswith("via:")), "")
            sent_by = via.split()[2].split(";")[0] if len(via.split()) > 2 else ""
            if ":" not in sent_by:
                sent_by += ":5060"
            came_from = f"{source[0]}:{source[1]}"
            if came_from != source_wanted or sent_by != source_wanted:
                print(f"FAIL: {user}: {port} got it from {came_from} with top {via!r}, expected {source_wanted}")
                failed = True
            else:
                print(f"PASS: {user}: {port} got it from {came_from}, Via {sent_by}")
            vias = [line for line in lines if line.lower().startswith("via:")]
            head = [line for line in lines if line.split(":")[0].lower() in ("from", "to", "call-id", "cseq")]
            reply = "SIP/2.0 200 OK\r\n" + "\r\n".join(vias + head) + "\r\nContent-Length: 0\r\n\r\n"
            uas[port].sendto(reply.encode(), source if sent_by == came_from else tuple_of(sent_by))
        for port in arrived.keys() - expected.keys():
            print(f"FAIL: {user}: an unexpected request reached the UAS on {port}")
            failed = True
        try:
            answer = uac.recv(65535).decode(errors="replace")
            if not answer.startswith("SIP/2.0 200"):
                print(f"FAIL: {user}: the UAC got {answer.splitlines()[0]!r}")
                failed = True
        except socket.timeout:
            print(f"FAIL: {user}: the 200 did not come back to the UAC")
            failed = True
    return 1 if failed else 0


def tuple_of(host_port):
    host, port = host_port.rsplit(":", 1)
    return (host, int(port))


if __name__ == "__main__":
    sys.exit(main())
