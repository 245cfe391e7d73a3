#!/usr/bin/env python3
"""Load for bench/transports/run over TLS (Debian's sipp 3.6 is built without TLS) and idle connections.

  uac HOST PORT --calls N --rate R [--tls]   -- N calls at R per second over one connection, as sipp's stock
        uac scenario makes them: INVITE (with SDP), 100/180 skipped, 200, ACK, BYE at once, its 200. Prints
        "calls N successful S failed F rtt_mean_ms M".
  uas PORT --calls N [--tls --cert C --key K] -- answers as sipp's stock uas scenario: 180 and 200 (with SDP)
        to an INVITE, 200 to a BYE, on every connection the proxy opens; ends after N BYEs or --timeout idle.
  hold HOST PORT COUNT [--tls]                -- opens COUNT connections (TLS: handshake done), --parallel at a time,
        prints "held COUNT" and keeps them idle until stdin closes or --timeout; prints how many the server
        closed meanwhile.

One thread, one epoll selector, non-blocking sockets; each mode ends by its count or its --timeout.
"""
import argparse
import selectors
import socket
import ssl
import sys
import time

SDP = ("v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


class Stream:
    """A connection: bytes in, whole SIP messages out; writes queued when the socket is full."""

    def __init__(self, sock, sel, owner):
        self.sock, self.sel, self.owner = sock, sel, owner
        self.inbuf = b""
        self.outbuf = b""
        self.closed = False
        sel.register(sock, selectors.EVENT_READ, self)

    def send(self, data):
        self.outbuf += data
        self.flush()

    def flush(self):
        while self.outbuf:
            try:
                n = self.sock.send(self.outbuf)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                self.sel.modify(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, self)
                return
            self.outbuf = self.outbuf[n:]
        self.sel.modify(self.sock, selectors.EVENT_READ, self)

    def on_event(self, events):
        if events & selectors.EVENT_WRITE:
            self.flush()
        if not events & selectors.EVENT_READ:
            return
        while True:
            try:
                chunk = self.sock.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                break
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                self.sel.unregister(self.sock)
                self.sock.close()
                return
            self.inbuf += chunk
            # An SSL socket may hold decrypted bytes the kernel no longer signals.
            if not (isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()):
                break
        for message in self.messages():
            self.owner.on_message(self, message)

    def messages(self):
        while True:
            end = self.inbuf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.inbuf[:end].decode(errors="replace")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() in ("content-length", "l"):
                    length = int(value.strip())
            if len(self.inbuf) < end + 4 + length:
                return
            self.inbuf = self.inbuf[end + 4 + length:]
            yield head


def headers(head, *names):
    values = []
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() in names:
            values.extend(v.strip() for v in value.split(",")) if name.strip().lower() == "record-route" \
                else values.append(value.strip())
    return values


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Uac:
    def __init__(self, args):
        self.args = args
        self.sel = selectors.DefaultSelector()
        raw = socket.create_connection((args.host, args.port), timeout=10)
        sock = client_context().wrap_socket(raw) if args.tls else raw
        sock.setblocking(False)
        self.stream = Stream(sock, self.sel, self)
        self.local = sock.getsockname()
        self.transport = "TLS" if args.tls else "TCP"
        self.calls = {}  # call-id -> [started, state]
        self.successful = self.failed = 0
        self.rtts = []

    def request(self, method, uri, call_id, cseq, to, routes=(), body=""):
        host, port = self.local
        token = call_id.split("@")[0]  # a branch and a tag are tokens: no "@"
        lines = [f"{method} {uri} SIP/2.0",
                 f"Via: SIP/2.0/{self.transport} {host}:{port};branch=z9hG4bK-{token}-{cseq}-{method[:3]}",
                 "Max-Forwards: 70", f"From: sipp <sip:sipp@{host}:{port}>;tag={token}", f"To: {to}",
                 f"Call-ID: {call_id}", f"CSeq: {cseq} {method}",
                 f"Contact: sip:sipp@{host}:{port};transport={self.transport.lower()}"]
        lines += [f"Route: {r}" for r in routes]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body)}")
        self.stream.send(("\r\n".join(lines) + "\r\n\r\n" + body).encode())

    def on_message(self, stream, head):
        if not head.startswith("SIP/2.0 "):
            return
        code = int(head[8:11])
        call_id = headers(head, "call-id", "i")[0]
        method = headers(head, "cseq")[0].split()[1]
        call = self.calls.get(call_id)
        if call is None or code < 200:
            return
        if method == "INVITE" and call[1] == "inviting":
            if code != 200:
                call[1] = "failed"
                self.failed += 1
                return
            self.rtts.append(time.monotonic() - call[0])
            to = headers(head, "to", "t")[0]
            contact = headers(head, "contact", "m")[0]
            remote = contact[contact.find("<") + 1:contact.find(">")] if "<" in contact else contact
            routes = list(reversed(headers(head, "record-route")))
            self.request("ACK", remote, call_id, 1, to, routes)
            self.request("BYE", remote, call_id, 2, to, routes)
            call[1] = "bye"
        elif method == "BYE" and call[1] == "bye":
            call[1] = "done"
            if code == 200:
                self.successful += 1
            else:
                self.failed += 1

    def run(self):
        a = self.args
        start = time.monotonic()
        deadline = start + a.calls / a.rate + a.timeout
        made = 0
        uri = f"sip:service@{a.host}:{a.port};transport={self.transport.lower()}"
        while time.monotonic() < deadline and self.successful + self.failed < a.calls:
            now = time.monotonic()
            while made < a.calls and now >= start + made / a.rate:
                made += 1
                call_id = f"{made}-{self.local[1]}@load"
                self.calls[call_id] = [time.monotonic(), "inviting"]
                self.request("INVITE", uri, call_id, 1, f"<{uri}>", body=SDP)
            wait = max(0.0, min(0.01, start + made / a.rate - time.monotonic())) if made < a.calls else 0.05
            for key, events in self.sel.select(timeout=wait):
                key.data.on_event(events)
            if self.stream.closed:
                break
        unfinished = a.calls - self.successful - self.failed
        mean = sum(self.rtts) / len(self.rtts) * 1000 if self.rtts else 0
        print(f"calls {a.calls} successful {self.successful} failed {self.failed + unfinished} "
              f"rtt_mean_ms {mean:.3f}", flush=True)
        return 0 if self.successful == a.calls else 1


class Uas:
    def __init__(self, args):
        self.args = args
        self.sel = selectors.DefaultSelector()
        self.ctx = None
        if args.tls:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(args.cert, args.key)
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", args.port))
        self.server.listen(64)
        self.sel.register(self.server, selectors.EVENT_READ, None)
        self.byes = 0
        self.transport = "tls" if args.tls else "tcp"

    def reply(self, stream, head, code, reason, body=""):
        out = [f"SIP/2.0 {code} {reason}"]
        for line in head.split("\r\n")[1:]:
            name = line.split(":", 1)[0].strip().lower()
            if name in ("via", "v", "from", "f", "call-id", "i", "cseq", "record-route"):
                out.append(line)
            elif name in ("to", "t"):
                out.append(line if ";tag=" in line else line + ";tag=uas")
        out.append(f"Contact: <sip:127.0.0.1:{self.args.port};transport={self.transport}>")
        if body:
            out.append("Content-Type: application/sdp")
        out.append(f"Content-Length: {len(body)}")
        stream.send(("\r\n".join(out) + "\r\n\r\n" + body).encode())

    def on_message(self, stream, head):
        method = head.split(" ", 1)[0]
        if method == "INVITE":
            self.reply(stream, head, 180, "Ringing")
            self.reply(stream, head, 200, "OK", SDP)
        elif method == "BYE":
            self.reply(stream, head, 200, "OK")
            self.byes += 1

    def run(self):
        print("listening", flush=True)
        last = time.monotonic()
        while self.byes < self.args.calls and time.monotonic() - last < self.args.timeout:
            for key, events in self.sel.select(timeout=0.5):
                last = time.monotonic()
                if key.data is None:
                    raw, _ = self.server.accept()
                    raw.settimeout(10)
                    sock = self.ctx.wrap_socket(raw, server_side=True) if self.ctx else raw
                    sock.setblocking(False)
                    Stream(sock, self.sel, self)
                else:
                    key.data.on_event(events)
        print(f"byes {self.byes}", flush=True)
        return 0 if self.byes >= self.args.calls else 1


def hold(args):
    sel = selectors.DefaultSelector()
    ctx = client_context() if args.tls else None
    pending, held, failed = [], [], 0
    deadline = time.monotonic() + args.timeout
    made = 0
    while (made < args.count or pending) and time.monotonic() < deadline:
        while made < args.count and len(pending) < args.parallel:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((args.host, args.port))
            pending.append([s, "connecting"])
            sel.register(s, selectors.EVENT_WRITE, pending[-1])
            made += 1
        for key, _ in sel.select(timeout=0.5):
            entry = key.data
            s = entry[0]
            if entry[1] == "connecting":
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    entry[1] = "failed"
                elif ctx is None:
                    entry[1] = "held"
                else:
                    sel.unregister(s)  # before wrapping: the wrapper takes the descriptor over
                    s = ctx.wrap_socket(s, do_handshake_on_connect=False)
                    entry[0] = s
                    sel.register(s, selectors.EVENT_WRITE, entry)
                    entry[1] = "handshake"
            if entry[1] == "handshake":
                try:
                    s.do_handshake()
                    entry[1] = "held"
                except ssl.SSLWantReadError:
                    sel.modify(s, selectors.EVENT_READ, entry)
                except ssl.SSLWantWriteError:
                    sel.modify(s, selectors.EVENT_WRITE, entry)
                except (ssl.SSLError, OSError):
                    entry[1] = "failed"
            if entry[1] in ("held", "failed"):
                sel.unregister(s)
                pending.remove(entry)
                if entry[1] == "held":
                    held.append(s)
                else:
                    failed += 1
                    s.close()
    print(f"held {len(held)} failed {failed + len(pending)}", flush=True)
    # Idle until told to stop; then count how many the server closed meanwhile.
    for s in held:
        sel.register(s, selectors.EVENT_READ)
    sel.register(sys.stdin, selectors.EVENT_READ)
    closed = 0
    end = time.monotonic() + args.timeout
    while time.monotonic() < end:
        ready = sel.select(timeout=1.0)
        if any(key.fileobj is sys.stdin for key, _ in ready):
            break
        for key, _ in ready:
            try:  # readable is not closed: a TLS 1.3 server sends its session tickets after the handshake
                if key.fileobj.recv(4096):
                    continue
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                continue
            except OSError:
                pass
            sel.unregister(key.fileobj)
            closed += 1
    print(f"closed by the server while held {closed}", flush=True)
    return 0 if len(held) == args.count else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["uac", "uas", "hold"])
    p.add_argument("rest", nargs="*")
    p.add_argument("--tls", action="store_true")
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--rate", type=float, default=100)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--parallel", type=int, default=200, help="hold: connects (and handshakes) in flight")
    args = p.parse_args()
    if args.mode == "uas":
        args.port = int(args.rest[0])
        return Uas(args).run()
    args.host, args.port = args.rest[0], int(args.rest[1])
    if args.mode == "uac":
        return Uac(args).run()
    args.count = int(args.rest[2])
    return hold(args)


if __name__ == "__main__":
    sys.exit(main())
