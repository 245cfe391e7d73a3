#!/usr/bin/env python3
"""Bad WebSocket input for ws_abuse.sh, on plain sockets (the websockets library refuses to send it).

Each case prints "ok: ..." when siphost refused or closed as it should, or "error: ..." and the script exits 1.
Every read is bounded by a timeout.
"""
import base64
import os
import socket
import struct
import sys
import time

HOST, PORT = "127.0.0.1", int(sys.argv[1])
failed = False


def handshake(protocol="sip", version="13", key=None):
    key = key or base64.b64encode(os.urandom(16)).decode()
    lines = ["GET /ws HTTP/1.1", "Host: 127.0.0.1:%d" % PORT, "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: " + version]
    if protocol is not None:
        lines.append("Sec-WebSocket-Protocol: " + protocol)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def frame(opcode, payload, masked=True, length=None, fin=True):
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([bit | n])
    elif n <= 0xFFFF:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def read_all(s, seconds):
    """What the server sends until it closes (eof True) or seconds pass."""
    s.settimeout(0.2)
    data, deadline = b"", time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def connect():
    return socket.create_connection((HOST, PORT), timeout=5)


def upgraded():
    s = connect()
    s.sendall(handshake())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("closed during the handshake")
        data += chunk
    if not data.startswith(b"HTTP/1.1 101 "):
        raise RuntimeError("no 101: %r" % data[:60])
    return s, data.split(b"\r\n\r\n", 1)[1]


def check(name, ok, detail=""):
    global failed
    print(("ok: " if ok else "error: ") + name + ("" if ok else " (%s)" % detail), flush=True)
    failed = failed or not ok


def refused_handshake(name, request, status):
    s = connect()
    s.sendall(request)
    data, eof = read_all(s, 3)
    check(name, data.startswith(("HTTP/1.1 %d " % status).encode()) and eof, "%r eof=%s" % (data[:80], eof))


def close_code(data):
    """The code of the first close frame the server sent, or None."""
    if len(data) >= 4 and data[0] == 0x88:
        return struct.unpack("!H", data[2:4])[0]
    return None


refused_handshake("no sip subprotocol: 400", handshake(protocol="chat"), 400)
refused_handshake("no subprotocol at all: 400", handshake(protocol=None), 400)
refused_handshake("version 8: 426", handshake(version="8"), 426)
refused_handshake("a key that is not 16 bytes: 400", handshake(key="c2hvcnQ="), 400)

s, _ = upgraded()
s.sendall(frame(1, b"OPTIONS sip:x SIP/2.0\r\n\r\n", masked=False))
data, eof = read_all(s, 3)
check("unmasked frame: close 1002", close_code(data) == 1002 and eof, "%r eof=%s" % (data[:40], eof))

s, _ = upgraded()
s.sendall(frame(1, b"", length=1 << 40)[:14])
data, eof = read_all(s, 3)
check("a 1 TB length: close 1009", close_code(data) == 1009 and eof, "%r eof=%s" % (data[:40], eof))

s, _ = upgraded()
s.sendall(frame(9, b"p" * 126))
data, eof = read_all(s, 3)
check("a 126-byte ping: close 1002", close_code(data) == 1002 and eof, "%r eof=%s" % (data[:40], eof))

s = connect()
s.sendall(b"\x16\x03\x01\x00\xa5garbage\x00\xff\r\n" + handshake())
data, eof = read_all(s, 2)
check("garbage before the handshake: no upgrade", b"101 Switching" not in data, repr(data[:80]))

s = connect()
s.sendall(handshake() + frame(1, b"OPTIONS sip:x SIP/2.0\r\n\r\n"))
data, eof = read_all(s, 3)
check("a frame before the 101: closed", eof and b"SIP/2.0" not in data, "%r eof=%s" % (data[:80], eof))

# Ping answered with its data, a close answered with a close; then a REGISTER is still served.
s, rest = upgraded()
s.sendall(frame(9, b"hello"))
data, _ = read_all(s, 0.5)
check("ping: pong with its data", data.startswith(b"\x8a\x05hello"), repr(data[:20]))
s.sendall(frame(8, struct.pack("!H", 1000) + b"bye"))
data, eof = read_all(s, 3)
check("close: answered with close 1000", close_code(data) == 1000 and eof, "%r eof=%s" % (data[:20], eof))

s, _ = upgraded()
register = ("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bKabuse1\r\n"
            "From: <sip:dave@127.0.0.1>;tag=1\r\nTo: <sip:dave@127.0.0.1>\r\nCall-ID: abuse-1\r\n"
            "CSeq: 1 REGISTER\r\nContact: <sip:dave@127.0.0.1:1;transport=ws>\r\nMax-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n").encode()
half = len(register) // 2
s.sendall(frame(1, register[:half], fin=False))
s.sendall(frame(9, b"between"))
s.sendall(frame(0, register[half:]))
data, _ = read_all(s, 2)
check("a fragmented REGISTER around a ping: a pong, then 200 in a text frame",
      data.startswith(b"\x8a\x07between\x81") and b"SIP/2.0 200 OK" in data, repr(data[:60]))


def rpc(method, *params):
    import json
    import urllib.error
    import urllib.request
    body = json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params), "id": 1}).encode()
    request = urllib.request.Request("http://%s:%d/RPC" % (HOST, PORT), body, {"Content-Type": "application/json"})
    try:
        return json.loads(urllib.request.urlopen(request, timeout=5).read().decode())
    except urllib.error.HTTPError as e:  # jsonrpcs answers a fault with its code as the HTTP status
        return json.loads(e.read().decode())


def conn_id(s):
    """The id ws.dump gives the connection of socket s."""
    port = s.getsockname()[1]
    for line in rpc("ws.dump")["result"]["connections"]:
        if (":127.0.0.1:%d -> " % port) in line:
            return int(line.split(":")[0])
    raise RuntimeError("ws.dump does not list the connection from port %d" % port)


# The RPCs: ws.ping and ws.pong send frames with ping_application_data, ws.close a close 1000.
s, _ = upgraded()
cid = conn_id(s)
rpc("ws.ping", cid)
data, _ = read_all(s, 0.5)
check("ws.ping: a ping frame", data == b"\x89\x0dare you there", repr(data[:30]))
rpc("ws.pong", cid)
data, _ = read_all(s, 0.5)
check("ws.pong: a pong frame", data == b"\x8a\x0dare you there", repr(data[:30]))
rpc("ws.close", cid)
data, eof = read_all(s, 3)
check("ws.close: close 1000", close_code(data) == 1000 and eof, "%r eof=%s" % (data[:30], eof))
answer = rpc("ws.close", cid)
check("ws.close of a closed connection: a fault", answer.get("error", {}).get("message") == "Unknown connection ID",
      repr(answer))

# ws_close(status, reason) in the script (the config closes the connection a MESSAGE comes over).
s, _ = upgraded()
s.sendall(frame(1, ("MESSAGE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bKclose\r\n"
                    "From: <sip:a@x>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: close-1\r\nCSeq: 1 MESSAGE\r\n"
                    "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()))
data, eof = read_all(s, 3)
check("ws_close(4000, ...): close 4000 with the reason", close_code(data) == 4000 and b"Because I say so" in data
      and eof, "%r eof=%s" % (data[:40], eof))
sys.exit(1 if failed else 0)
