#!/usr/bin/env python3
"""A UAC and a UAS in one process, on 127.0.0.1:5090 and 127.0.0.1:5080: for each user given on the command line
(user=expected-source), sends an OPTIONS for sip:user@127.0.0.1 to the proxy at 127.0.0.1:5060, takes it at the
UAS, checks the address it came from and the host of its top Via against the expected "ip:port", answers 200 and
waits for the 200 at the UAC. Prints PASS lines, or FAIL with what arrived; bounded by socket timeouts."""
import socket
import sys


def main():
    uac = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    uac.bind(("127.0.0.1", 5090))
    uac.settimeout(5)
    uas = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    uas.bind(("127.0.0.1", 5080))
    uas.settimeout(5)
    failed = False
    for n, case in enumerate(sys.argv[1:], 1):
        user, expected = case.split("=")
        request = (f"OPTIONS sip:{user}@127.0.0.1 SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-sock-{n};rport\r\n"
                   f"From: <sip:peer@127.0.0.1>;tag=t{n}\r\nTo: <sip:{user}@127.0.0.1>\r\n"
                   f"Call-ID: send-socket-{n}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        uac.sendto(request.encode(), ("127.0.0.1", 5060))
        try:
            data, source = uas.recvfrom(65535)
        except socket.timeout:
            print(f"FAIL: {user}: nothing reached the UAS")
            failed = True
            continue
        text = data.decode(errors="replace")
        lines = text.split("\r\n")
        via = next((line for line in lines if line.lower().startswith("via:")), "")
        sent_by = via.split()[2].split(";")[0] if len(via.split()) > 2 else ""
        came_from = f"{source[0]}:{source[1]}"
        if came_from != expected or sent_by != expected:
            print(f"FAIL: {user}: came from {came_from} with top {via!r}, expected {expected}")
            failed = True
        else:
            print(f"PASS: {user}: left from {came_from}, Via {sent_by}")
        vias = [line for line in lines if line.lower().startswith("via:")]
        head = [line for line in lines if line.split(":")[0].lower() in ("from", "to", "call-id", "cseq")]
        reply = "SIP/2.0 200 OK\r\n" + "\r\n".join(vias + head) + "\r\nContent-Length: 0\r\n\r\n"
        uas.sendto(reply.encode(), source if sent_by == came_from else tuple_of(sent_by))
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
