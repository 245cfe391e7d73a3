#!/usr/bin/env python3
"""Bad input over TCP against a running siphost (tcp_abuse.sh starts it): each case must be answered, refused
or closed as RFC 3261 18.3 and RFC 5626 say, and after each one (and during the slow ones) an OPTIONS over UDP
through the same siphost must still be answered. Every loop is bounded; every socket has a timeout."""
import select
import socket
import sys
import time

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 5060
MAX_CONNECTIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
failures = []
sequence = [0]


def options(transport, body="", content_length=True, call_id=None):
    sequence[0] += 1
    n = sequence[0]
    lines = [
        f"OPTIONS sip:ping@{HOST}:{PORT} SIP/2.0",
        f"Via: SIP/2.0/{transport} {HOST}:5999;rport;branch=z9hG4bK-abuse-{n}",
        "Max-Forwards: 70",
        f"From: <sip:abuse@{HOST}>;tag=a{n}",
        f"To: <sip:ping@{HOST}>",
        f"Call-ID: {call_id or f'abuse-{n}'}@{HOST}",
        f"CSeq: {n} OPTIONS",
    ]
    if content_length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + (f": {detail}" if detail and not condition else ""))
    if not condition:
        failures.append(name)


def udp_answered(label):
    """An OPTIONS over UDP gets its 200 within 2 s."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    request = options("UDP")
    try:
        s.sendto(request, (HOST, PORT))
        data, _ = s.recvfrom(65535)
        ok = data.startswith(b"SIP/2.0 200")
    except OSError as e:
        ok, data = False, str(e).encode()
    finally:
        s.close()
    check(f"UDP still answered ({label})", ok, data[:60].decode(errors="replace"))


def connect():
    s = socket.create_connection((HOST, PORT), timeout=3.0)
    s.settimeout(3.0)
    return s


def read_replies(s, count, limit=3.0):
    """Reads until `count` replies (by their status lines) arrived or `limit` seconds passed."""
    data = b""
    deadline = time.time() + limit
    while data.count(b"SIP/2.0 200") < count and time.time() < deadline:
        try:
            chunk = s.recv(65535)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


def closed_now(conns, wait):
    """Those of conns the peer has closed (EOF or reset), waiting at most `wait` seconds for one."""
    readable, _, _ = select.select(conns, [], [], wait)
    gone = set()
    for c in readable:
        try:
            if c.recv(65535) == b"":
                gone.add(c)
        except OSError:
            gone.add(c)
    return gone


def closed_within(s, seconds):
    """True when the peer closes (EOF or reset) within `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if closed_now([s], 0.5):
            return True
    return False


udp_answered("before")

# A message in 1-byte segments.
s = connect()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for byte in options("TCP"):
    s.send(bytes([byte]))
reply = read_replies(s, 1)
check("1-byte segments framed into one request", reply.startswith(b"SIP/2.0 200"), reply[:60])
check("the reply went back over the request's connection", b"Via: SIP/2.0/TCP" in reply)
s.close()
udp_answered("after 1-byte segments")

# Two messages in one segment, then a CRLFCRLF ping.
s = connect()
s.sendall(options("TCP") + options("TCP"))
reply = read_replies(s, 2)
check("two messages in one segment get two replies", reply.count(b"SIP/2.0 200") == 2, reply.count(b"SIP/2.0 200"))
s.sendall(b"\r\n\r\n")
try:
    pong = s.recv(16)
except socket.timeout:
    pong = b""
check("a CRLFCRLF ping gets a CRLF pong (RFC 5626)", pong == b"\r\n", pong)
s.close()
udp_answered("after pipelining")

# A Content-Length larger than what follows: UDP flows meanwhile, and the connection is closed after a timeout.
s = connect()
s.sendall(options("TCP", body="x" * 10)[:-5])  # 5 bytes of the body never come
udp_answered("while a message is unfinished")
started = time.time()
check("an unfinished message is closed after a timeout", closed_within(s, 10.0))
check("... not at once", time.time() - started > 2.0, time.time() - started)
s.close()

# No Content-Length on TCP: refused (closed).
s = connect()
s.sendall(options("TCP", content_length=False))
check("a message without Content-Length closes the connection", closed_within(s, 3.0))
s.close()
udp_answered("after a missing Content-Length")

# A 1 MB header: closed long before it ends; UDP answered while it is sent.
s = connect()
s.sendall(b"OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\nX-Big: ")
sent, refused = 0, False
chunk = b"a" * 16384
s.settimeout(2.0)
while sent < 1024 * 1024:
    try:
        s.sendall(chunk)
        sent += len(chunk)
    except OSError:
        refused = True
        break
    if sent == 256 * 1024:
        udp_answered("during a 1 MB header")
check("a 1 MB header is refused", refused or closed_within(s, 3.0), f"{sent} bytes taken")
s.close()
udp_answered("after a 1 MB header")

# A flood beyond tcp_max_connections: the surplus is closed at once, the rest keep working.
held = []
for _ in range(MAX_CONNECTIONS + 20):
    try:
        held.append(connect())
    except OSError:
        break
time.sleep(0.5)
# Each TCP reader accepts on its own socket (SO_REUSEPORT), so the surplus is not always the last ones
# opened: watch them all until as many as the limit leaves out are closed.
refused = set()
deadline = time.time() + 5.0
while time.time() < deadline and len(refused) < len(held) - MAX_CONNECTIONS:
    refused |= closed_now([c for c in held if c not in refused], 0.1)
time.sleep(0.3)  # one refused too many would show by now
refused |= closed_now([c for c in held if c not in refused], 0)
open_ones = [c for c in held if c not in refused]
closed = len(refused)
check(f"connections beyond tcp_max_connections ({MAX_CONNECTIONS}) are refused",
      closed == len(held) - MAX_CONNECTIONS and len(open_ones) == MAX_CONNECTIONS,
      f"{closed} of {len(held)} closed, {len(open_ones)} open")
reply = b""
if open_ones:
    open_ones[0].sendall(options("TCP"))
    reply = read_replies(open_ones[0], 1)
check("a connection within the limit still works", reply.startswith(b"SIP/2.0 200"), reply[:60])
udp_answered("during a connection flood")
for c in held:
    c.close()
time.sleep(0.5)
s = connect()
s.sendall(options("TCP"))
check("a new connection works once the flood is gone", read_replies(s, 1).startswith(b"SIP/2.0 200"))
s.close()
udp_answered("after the flood")

print("client: every case passed" if not failures else "FAIL: " + ", ".join(failures))
sys.exit(1 if failures else 0)
