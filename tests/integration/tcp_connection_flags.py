#!/usr/bin/env python3
"""The core's connection functions over TCP against a running siphost (tcp_connection_flags.sh starts it
with cfg/tcp_connection_flags.cfg): set_forward_no_connect(), set_forward_close(), set_reply_close(),
set_reply_no_connect(), tcp_accept_aliases and force_tcp_alias(). This script is the caller and every peer;
each case says what must hold and what would happen without the function. Every wait is bounded; every socket
has a timeout."""
import re
import socket
import sys
import time

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 5060
LOG = sys.argv[2] if len(sys.argv) > 2 else None
failures = []
sequence = [0]


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + (f": {detail}" if detail and not condition else ""))
    if not condition:
        failures.append(name)


def request(user, target_port=None, via_port=5999, via_params="", method="OPTIONS", via_host=HOST,
            target_host=HOST):
    sequence[0] += 1
    n = sequence[0]
    uri = f"sip:{user}@{target_host}" + (f":{target_port};transport=tcp" if target_port else "")
    lines = [
        f"{method} {uri} SIP/2.0",
        f"Via: SIP/2.0/TCP {via_host}:{via_port}{via_params};branch=z9hG4bK-flags-{n}",
        "Max-Forwards: 70",
        f"From: <sip:tester@{HOST}>;tag=f{n}",
        f"To: <sip:{user}@{HOST}>",
        f"Call-ID: flags-{n}@{HOST}",
        f"CSeq: {n} {method}",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class reader:
    """Reads whole SIP messages (Content-Length framed) from a connected socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def message(self, timeout=5.0):
        """The next message, or None when the peer closed or nothing came within timeout."""
        until = time.monotonic() + timeout
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                m = re.search(rb"\r\n(?:Content-Length|l)\s*:\s*(\d+)", self.buffer[:end + 2], re.I)
                total = end + 4 + (int(m.group(1)) if m else 0)
                if len(self.buffer) >= total:
                    message, self.buffer = self.buffer[:total], self.buffer[total:]
                    return message.decode(errors="replace")
            left = until - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                return None
            if not data:
                return None
            self.buffer += data

    def closed_by_peer(self, timeout=3.0):
        """True when the peer closes the connection within timeout (bytes still coming are read past)."""
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            self.sock.settimeout(max(0.05, until - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return False
            except OSError:
                return True
            if not data:
                return True
            self.buffer += data
        return False


def connect(local_port=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if local_port:
        s.bind((HOST, local_port))
    s.settimeout(3.0)
    s.connect((HOST, PORT))
    return s


def listener(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(8)
    return s


def accept(lst, timeout):
    """The next connection siphost opens to lst, or None within timeout."""
    lst.settimeout(timeout)
    try:
        conn, _ = lst.accept()
    except socket.timeout:
        return None
    conn.settimeout(3.0)
    return conn


def first_line(message):
    return message.split("\r\n", 1)[0] if message else "nothing"


def answer(conn, message, code="200 OK"):
    """A reply to a request read from conn: its Vias, From, To (tagged), Call-ID and CSeq."""
    keep = [line for line in message.split("\r\n")
            if re.match(r"(Via|v|From|f|Call-ID|i|CSeq)\s*:", line, re.I)]
    to = [line for line in message.split("\r\n") if re.match(r"(To|t)\s*:", line, re.I)][0] + ";tag=uas"
    reply = "\r\n".join([f"SIP/2.0 {code}"] + keep + [to, "Content-Length: 0"]) + "\r\n\r\n"
    conn.sendall(reply.encode())


def wait_log(pattern, timeout=5.0):
    """True when siphost's log has a line matching pattern within timeout."""
    if LOG is None:
        time.sleep(1.0)
        return True
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        with open(LOG, errors="replace") as f:
            if re.search(pattern, f.read(), re.M):
                return True
        time.sleep(0.05)
    return False


def stateless_forward():
    lst = listener(5090)
    caller = connect()
    calls = reader(caller)

    # No connection to 127.0.0.1:5090 yet: set_forward_no_connect() makes forward() fail (the script answers
    # 503) and nothing connects to the peer. Without it forward() opens a connection and succeeds.
    caller.sendall(request("fwdnc", 5090))
    check("forward_no_connect without a connection fails", first_line(calls.message()).startswith("SIP/2.0 503"))
    check("forward_no_connect opens no connection", accept(lst, 0.5) is None)

    # A plain forward() opens one; forward_no_connect() then goes over it.
    caller.sendall(request("fwd", 5090))
    peer = accept(lst, 5.0)
    check("forward() opens a connection", peer is not None)
    if peer is None:
        return
    got = reader(peer)
    check("the forwarded request arrives", first_line(got.message()).startswith("OPTIONS sip:fwd@"))
    caller.sendall(request("fwdnc", 5090))
    check("forward_no_connect goes over the open connection",
          first_line(got.message()).startswith("OPTIONS sip:fwdnc@"))
    check("forward_no_connect opened no second connection", accept(lst, 0.3) is None)

    # set_forward_close(): the request goes over the connection, which is closed after it.
    caller.sendall(request("fwdclose", 5090))
    check("forward_close sends the request", first_line(got.message()).startswith("OPTIONS sip:fwdclose@"))
    check("forward_close closes the connection after it", got.closed_by_peer(3.0))
    caller.sendall(request("fwdnc", 5090))
    check("after the close, forward_no_connect fails again",
          first_line(calls.message()).startswith("SIP/2.0 503"))
    peer.close()
    lst.close()
    caller.close()


def stateful_forward():
    lst = listener(5091)
    caller = connect()
    calls = reader(caller)
    caller.sendall(request("tmnc", 5091))
    check("t_relay with forward_no_connect and no connection fails",
          first_line(calls.message()).startswith("SIP/2.0 503"))
    check("t_relay with forward_no_connect opens no connection", accept(lst, 0.5) is None)

    caller.sendall(request("tm", 5091))
    peer = accept(lst, 5.0)
    check("t_relay opens a connection", peer is not None)
    if peer is None:
        return
    got = reader(peer)
    relayed = got.message()
    check("t_relay's request arrives", first_line(relayed).startswith("OPTIONS sip:tm@"))
    answer(peer, relayed)
    check("its 200 comes back", first_line(calls.message()).startswith("SIP/2.0 200"))
    caller.sendall(request("tmnc", 5091))
    relayed = got.message()
    check("t_relay with forward_no_connect goes over the open connection",
          first_line(relayed).startswith("OPTIONS sip:tmnc@"))
    if relayed:
        answer(peer, relayed)
        check("and its 200 comes back", first_line(calls.message()).startswith("SIP/2.0 200"))
    peer.close()
    lst.close()
    caller.close()


def reply_close():
    for user in ("rclose", "trclose"):
        caller = connect()
        calls = reader(caller)
        caller.sendall(request(user))
        check(f"{user}: the reply arrives", first_line(calls.message()).startswith("SIP/2.0 200"))
        check(f"{user}: the connection is closed after the reply", calls.closed_by_peer(3.0))
        caller.close()
    # Without set_reply_close() the connection stays open.
    caller = connect()
    calls = reader(caller)
    caller.sendall(request("register"))
    check("a reply without set_reply_close arrives", first_line(calls.message()).startswith("SIP/2.0 200"))
    check("without set_reply_close the connection stays open", not calls.closed_by_peer(0.5))
    caller.close()


def reply_no_connect():
    """tm relays a 200 upstream after the caller's connection is gone: with set_reply_no_connect() it is not
    sent; without it siphost opens a connection to the caller's address and sends it there."""
    lst = listener(5096)
    peer = None
    got = None
    for user, caller_port, expect_connect in (("tmrnc", 5097, False), ("tmrc", 5098, True)):
        caller = connect(caller_port)
        caller.sendall(request(user, 5096, via_port=caller_port))
        if peer is None:
            peer = accept(lst, 5.0)
            if peer is None:
                check(f"{user}: t_relay opens a connection", False)
                return
            got = reader(peer)
        relayed = got.message()
        check(f"{user}: t_relay's request arrives", first_line(relayed).startswith(f"OPTIONS sip:{user}@"))
        if not relayed:
            return
        caller.close()
        check(f"{user}: siphost saw the caller's connection close",
              wait_log(rf"to 127\.0\.0\.1:{caller_port}: closed by the peer"))
        back = listener(caller_port)
        answer(peer, relayed)
        conn = accept(back, 1.5)
        if expect_connect:
            check(f"{user}: without reply_no_connect the 200 opens a connection", conn is not None)
            if conn is not None:
                check(f"{user}: the 200 goes over it", first_line(reader(conn).message()).startswith("SIP/2.0 200"))
        else:
            check(f"{user}: with reply_no_connect the 200 opens no connection", conn is None)
            check(f"{user}: siphost says why", wait_log(r"no open connection, no_connect"))
        if conn is not None:
            conn.close()
        back.close()
    peer.close()
    lst.close()


def aliases():
    caller = connect()
    calls = reader(caller)

    # tcp_accept_aliases: a Via with ";alias" makes the connection the way to 127.0.0.1:<Via port>. Nobody
    # listens on 5092: without the alias the forward would try to connect there and fail.
    ua = connect()
    ua_in = reader(ua)
    ua.sendall(request("register", via_port=5092, via_params=";alias"))
    check("alias: the registering request is answered", first_line(ua_in.message()).startswith("SIP/2.0 200"))
    caller.sendall(request("fwd", 5092))
    check("alias: a request to the Via's port reuses the UA's connection",
          first_line(ua_in.message()).startswith("OPTIONS sip:fwd@"))

    # The alias is the peer's own address with the Via's port, whatever host the Via names (Kamailio takes
    # only the port: a peer cannot claim another host's requests).
    named = connect()
    named_in = reader(named)
    named.sendall(request("register", via_port=5089, via_params=";alias", via_host="127.0.0.7"))
    check("alias for another host: answered", first_line(named_in.message()).startswith("SIP/2.0 200"))
    caller.sendall(request("fwdnc", 5089, target_host="127.0.0.7"))
    check("alias: the Via's host gets no connection", first_line(calls.message()).startswith("SIP/2.0 503"))
    caller.sendall(request("fwdnc", 5089))
    check("alias: the peer's address with the Via's port does",
          first_line(named_in.message()).startswith("OPTIONS sip:fwdnc@"))

    # Without ";alias" the Via's port names no connection.
    other = connect()
    other_in = reader(other)
    other.sendall(request("register", via_port=5094))
    check("no alias: the request is answered", first_line(other_in.message()).startswith("SIP/2.0 200"))
    caller.sendall(request("fwdnc", 5094))
    check("no alias parameter: no connection for the Via's port",
          first_line(calls.message()).startswith("SIP/2.0 503"))
    check("no alias parameter: nothing arrives on the UA's connection", other_in.message(0.3) is None)

    # force_tcp_alias(): the Via's port, with or without ";alias".
    forced = connect()
    forced_in = reader(forced)
    forced.sendall(request("forcealias", via_port=5093))
    check("force_tcp_alias(): answered", first_line(forced_in.message()).startswith("SIP/2.0 200"))
    caller.sendall(request("fwdnc", 5093))
    check("force_tcp_alias(): a request to the Via's port reuses the connection",
          first_line(forced_in.message()).startswith("OPTIONS sip:fwdnc@"))

    # force_tcp_alias(port): the given port.
    given = connect()
    given_in = reader(given)
    given.sendall(request("forcealiasport", via_port=5099))
    check("force_tcp_alias(5095): answered", first_line(given_in.message()).startswith("SIP/2.0 200"))
    caller.sendall(request("fwdnc", 5095))
    check("force_tcp_alias(5095): a request to port 5095 reuses the connection",
          first_line(given_in.message()).startswith("OPTIONS sip:fwdnc@"))

    # The alias goes with its connection.
    ua_port = ua.getsockname()[1]
    ua.close()
    check("alias: siphost saw the UA's connection close", wait_log(rf"to 127\.0\.0\.1:{ua_port}: closed by the peer"))
    time.sleep(0.2)  # the line is written just before the connection leaves the table
    caller.sendall(request("fwdnc", 5092))
    check("alias: gone with its connection", first_line(calls.message()).startswith("SIP/2.0 503"))
    for s in (caller, other, forced, given, named):
        s.close()


stateless_forward()
stateful_forward()
reply_close()
reply_no_connect()
aliases()
if failures:
    print(f"{len(failures)} case(s) failed: " + ", ".join(failures))
    sys.exit(1)
print("all cases passed")
