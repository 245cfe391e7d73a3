#!/usr/bin/env python3
"""Sends reg_relay.sh's requests to 127.0.0.1:PORT (argv[1]) from 127.0.0.1:5195, one at a time. Two UAs
(127.0.0.1:5181 and :5182) and an edge proxy (:5183, the Path of some contacts) answer 200 to whatever reaches
them (the edge 486 to a Call-ID that begins with "fail"); for each request this prints the reply the sender got
and, sorted, what each peer received: its port, the address it came from, the Request-URI and the Route
headers. The server's port is written PORT, so that Kamailio's and siphost's outputs compare. Bounded: each
request waits 1.5 s for what it causes."""
import re
import select
import socket
import sys
import time

PORT = int(sys.argv[1])
EDGE = "<sip:127.0.0.1:5183;lr>"

# (case, method, user, call-id, header lines)
REQUESTS = [
    ("reg-a-path", "REGISTER", "alice", "ra",
     ["Contact: <sip:alice@127.0.0.1:5181>;q=0.9", f"Path: {EDGE}", "Expires: 300"]),
    ("reg-b", "REGISTER", "alice", "rb", ["Contact: <sip:alice@127.0.0.1:5182>;q=0.5", "Expires: 300"]),
    ("call-alice", "MESSAGE", "alice", "m1", []),
    ("reg-bob-path", "REGISTER", "bob", "rc",
     ["Contact: <sip:bob@127.0.0.1:5182>", f"Path: {EDGE},<sip:127.0.0.1:5184;lr>", "Expires: 300"]),
    ("stateless-bob", "MESSAGE", "bob", "m2", ["X-Stateless: 1"]),
    ("route-bob", "MESSAGE", "bob", "m3", [f"Route: <sip:127.0.0.1:{PORT};lr>"]),
    ("fail-bob", "MESSAGE", "bob", "fail1", ["X-Failure: 1"]),
    ("reg-carol-socket", "REGISTER", "carol", "rd",
     ["Contact: <sip:carol@127.0.0.1:5181>;q=0.9", f"X-Socket: udp:127.0.0.2:{PORT}", "Expires: 300"]),
    ("reg-carol-bflag", "REGISTER", "carol", "re",
     ["Contact: <sip:carol@127.0.0.1:5182>;q=0.5", "X-Bflag: 3", "Expires: 300"]),
    ("reg-carol-badsocket", "REGISTER", "carol", "rf",
     ["Contact: <sip:carol@127.0.0.1:5183>;q=0.1", "X-Socket: udp:10.1.1.1:5060", "Expires: 300"]),
    ("call-carol", "MESSAGE", "carol", "m4", []),
    ("call-carol-rlf8", "MESSAGE", "carol", "m5", ["X-Rlf: 8"]),
    ("call-carol-rlf2", "MESSAGE", "carol", "m6", ["X-Rlf: 2"]),
    ("call-carol-rlf0", "MESSAGE", "carol", "m7", ["X-Rlf: 0"]),
]


def answer(text, port):
    """A reply to a request a peer received: 486 from the edge for a "fail" Call-ID, else 200."""
    busy = port == 5183 and re.search(r"^Call-ID: fail", text, re.M)
    lines = ["SIP/2.0 486 Busy Here" if busy else "SIP/2.0 200 OK"]
    for line in text.split("\r\n"):
        if re.match(r"^(Via|From|To|Call-ID|CSeq):", line, re.I):
            lines.append(line + (";tag=peer" if line.lower().startswith("to:") else ""))
    return ("\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n").encode()


def main():
    uac = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    uac.bind(("127.0.0.1", 5195))
    peers = {}
    for port in (5181, 5182, 5183):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", port))
        peers[s] = port
    for n, (case, method, user, callid, headers) in enumerate(REQUESTS, 1):
        ruri = "sip:127.0.0.1" if method == "REGISTER" else f"sip:{user}@127.0.0.1"
        lines = [f"{method} {ruri} SIP/2.0", f"Via: SIP/2.0/UDP 127.0.0.1:5195;branch=z9hG4bK-rel-{PORT}-{n}",
                 f"From: <sip:caller@127.0.0.1>;tag=f{n}", f"To: <sip:{user}@127.0.0.1>", f"Call-ID: {callid}",
                 f"CSeq: 1 {method}", "Max-Forwards: 70", f"X-Case: {case}", *headers, "Content-Length: 0", "", ""]
        uac.sendto("\r\n".join(lines).encode(), ("127.0.0.1", PORT))
        received, status = [], "no reply"
        end = time.time() + 1.5
        while time.time() < end:
            ready, _, _ = select.select([uac, *peers], [], [], max(0.0, end - time.time()))
            for s in ready:
                data, source = s.recvfrom(65535)
                text = data.decode(errors="replace")
                if s is uac:
                    if status == "no reply":
                        status = text.split("\r\n", 1)[0]
                    continue
                routes = re.findall(r"^Route: (.*?)\r?$", text, re.M | re.I)
                received.append(f"  at {peers[s]} from {source[0]}: {text.split(chr(13), 1)[0]} route={routes}")
                s.sendto(answer(text, peers[s]), source)
        print(f"{case}: {status}".replace(str(PORT), "PORT"))
        for line in sorted(received):
            print(line.replace(str(PORT), "PORT"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
