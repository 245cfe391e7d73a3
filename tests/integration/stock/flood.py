#!/usr/bin/env python3
"""flood.py COUNT: COUNT OPTIONS to 127.0.0.1:5060 from one UDP socket as fast as it can, then one more after a
pause; prints "replies=R late_reply=0|1". Bounded: COUNT requests, one wait of 2 s for the late one.

The socket is bound to 127.0.0.2: still loopback, but not one of the server's own addresses (the stock config
exempts its own address, src_ip==myself, from flood detection)."""
import socket
import sys
import time

count = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.2", 0))
port = sock.getsockname()[1]


def options(n):
    return ("OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.2:{port};branch=z9hG4bKflood{n}\r\n"
            f"From: <sip:flood@127.0.0.1>;tag=f{n}\r\n"
            "To: <sip:127.0.0.1>\r\n"
            f"Call-ID: flood-{n}@127.0.0.1\r\n"
            f"CSeq: {n + 1} OPTIONS\r\n"
            "Max-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n").encode()


def drain(seconds):
    got = 0
    sock.settimeout(0.1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            sock.recv(65535)
            got += 1
        except socket.timeout:
            pass
    return got


for n in range(count):
    sock.sendto(options(n), ("127.0.0.1", 5060))
replies = drain(1.0)
sock.sendto(options(count), ("127.0.0.1", 5060))
late = drain(2.0)
print(f"replies={replies} late_reply={1 if late else 0}")
