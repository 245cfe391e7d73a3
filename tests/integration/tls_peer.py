#!/usr/bin/env python3
"""TLS peers for siphost's TLS tests (Debian's sipp has no TLS), on Python's ssl module.

Every mode is bounded: each socket has a timeout and each loop a count, so no mode runs forever.

  request  HOST PORT METHOD  -- sends one request over TLS and prints the reply's status line and headers
  handshake HOST PORT        -- only the handshake: prints "handshake ok" or "handshake failed: ..."
  garbage  HOST PORT         -- plain TCP bytes that are no ClientHello; prints how the server ended it
  stall    HOST PORT         -- connects and sends nothing; prints how long the server kept it open
  call     HOST PORT         -- a TLS UAC: one INVITE, its ACK and a BYE, through the proxy (Record-Route)
  rpc HOST PORT HTTP_PORT METHOD -- holds a TLS connection open while it calls a JSON-RPC command over HTTP
  uas      PORT              -- a TLS UAS: answers one INVITE (180, 200), the ACK and the BYE
"""
import argparse
import socket
import ssl
import sys
import time


def client_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if args.max_version == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if args.ca:
        ctx.load_verify_locations(args.ca)
        ctx.check_hostname = args.server_name is not None
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    return ctx


def connect(args):
    raw = socket.create_connection((args.host, args.port), timeout=args.timeout)
    ctx = client_context(args)
    return ctx.wrap_socket(raw, server_hostname=args.server_name or args.host)


def read_message(conn, deadline, data=b""):
    """One SIP message from a stream: headers up to the blank line, then Content-Length bytes; returns the
    headers and what was read beyond the message."""
    while b"\r\n\r\n" not in data:
        if time.time() > deadline:
            raise TimeoutError("no complete message")
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("closed by the peer")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() in (b"content-length", b"l"):
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("closed by the peer")
        rest += chunk
    return head.decode(errors="replace"), rest[length:]


def request(args):
    conn = connect(args)
    local_port = conn.getsockname()[1]
    method = args.method
    uri = args.uri or f"sip:{args.host}:{args.port};transport=tls"
    msg = (f"{method} {uri} SIP/2.0\r\n"
           f"Via: SIP/2.0/TLS 127.0.0.1:{local_port};branch=z9hG4bK-tls-{local_port};rport\r\n"
           f"Max-Forwards: 70\r\n"
           f"From: <sip:alice@example.com>;tag=tls{local_port}\r\n"
           f"To: <sip:alice@example.com>\r\n"
           f"Call-ID: tls-{local_port}@127.0.0.1\r\n"
           f"CSeq: 1 {method}\r\n"
           f"Contact: <sip:alice@127.0.0.1:{local_port};transport=tls>\r\n"
           f"Expires: 60\r\n"
           f"Content-Length: 0\r\n\r\n")
    conn.sendall(msg.encode())
    deadline = time.time() + args.timeout
    for _ in range(5):  # skip provisional replies
        head, _ = read_message(conn, deadline)
        print(head.replace("\r\n", "\n"))
        print("--")
        if not head.startswith("SIP/2.0 1"):
            break
    print("tls version:", conn.version(), "cipher:", conn.cipher()[0])
    if args.ca:
        subject = dict(item[0] for item in conn.getpeercert()["subject"])
        print("server certificate:", subject.get("commonName"))
    conn.close()


def header_values(head, *names):
    values = []
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name not in names:
            continue
        if name == "record-route":  # several values in one line
            values.extend(v.strip() for v in value.split(","))
        else:
            values.append(value.strip())
    return values


def call(args):
    conn = connect(args)
    port = conn.getsockname()[1]
    target = args.uri
    call_id = f"tls-call-{port}@127.0.0.1"
    from_hdr = f"<sip:alice@127.0.0.1:{port}>;tag=alice{port}"

    def request(method, uri, cseq, to_hdr, routes=()):
        lines = [f"{method} {uri} SIP/2.0",
                 f"Via: SIP/2.0/TLS 127.0.0.1:{port};branch=z9hG4bK-{method.lower()}-{port}-{cseq};rport",
                 "Max-Forwards: 70", f"From: {from_hdr}", f"To: {to_hdr}", f"Call-ID: {call_id}",
                 f"CSeq: {cseq} {method}"]
        lines += [f"Route: {r}" for r in routes]
        if method == "INVITE":
            lines.append(f"Contact: <sip:alice@127.0.0.1:{port};transport=tls>")
        lines.append("Content-Length: 0")
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    deadline = time.time() + args.timeout
    request("INVITE", target, 1, f"<{target}>")
    pending = b""
    final = None
    for _ in range(10):
        head, pending = read_message(conn, deadline, pending)
        print(head.split("\r\n")[0], flush=True)
        if not head.startswith("SIP/2.0 1"):
            final = head
            break
    if final is None or not final.startswith("SIP/2.0 200"):
        print("no 200 for the INVITE")
        return 1
    print(final.replace("\r\n", "\n"))
    to_hdr = header_values(final, "to", "t")[0]
    contact = header_values(final, "contact", "m")[0]
    remote = contact[contact.find("<") + 1:contact.find(">")] if "<" in contact else contact
    routes = list(reversed(header_values(final, "record-route")))
    request("ACK", remote, 1, to_hdr, routes)
    time.sleep(0.2)
    request("BYE", remote, 2, to_hdr, routes)
    head, pending = read_message(conn, deadline, pending)
    print("BYE:", head.split("\r\n")[0], flush=True)
    conn.close()
    return 0 if head.startswith("SIP/2.0 200") else 1


def rpc(args):
    import json
    import urllib.request
    conn = connect(args)
    body = json.dumps({"jsonrpc": "2.0", "method": args.rpc_method, "id": 1}).encode()
    req = urllib.request.Request(f"http://{args.host}:{args.http_port}/RPC", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=args.timeout) as reply:
        answer = json.loads(reply.read())
    print(json.dumps(answer.get("result", answer), sort_keys=True))
    print("client port:", conn.getsockname()[1])
    conn.close()
    return 0 if "result" in answer else 1


def handshake(args):
    try:
        conn = connect(args)
        # TLS 1.3: the server's verdict on our certificate comes after our Finished; a read shows it.
        conn.settimeout(1.0)
        try:
            data = conn.recv(1)
            if data == b"":
                print("handshake failed: closed after the handshake")
                return 1
        except socket.timeout:
            pass
        print("handshake ok", conn.version())
        conn.close()
        return 0
    except (ssl.SSLError, ConnectionError, OSError) as e:
        print("handshake failed:", e)
        return 1


def wait_closed(sock, limit):
    start = time.time()
    sock.settimeout(0.5)
    while time.time() - start < limit:
        try:
            data = sock.recv(4096)
            if not data:
                return time.time() - start, "closed"
        except socket.timeout:
            continue
        except ConnectionResetError:
            return time.time() - start, "reset"
    return None, "still open"


def garbage(args):
    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    sock.sendall(b"INVITE sip:bob@example.com SIP/2.0\r\nthis is no TLS record\r\n\r\n")
    took, how = wait_closed(sock, args.timeout)
    print(f"garbage: {how}" + (f" after {took:.1f}s" if took is not None else ""))
    return 0 if took is not None else 1


def stall(args):
    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    took, how = wait_closed(sock, args.timeout)
    print(f"stall: {how}" + (f" after {took:.1f}s" if took is not None else ""))
    return 0 if took is not None else 1


def reply_to(head, code, reason, to_tag, contact_port):
    lines = head.split("\r\n")
    out = [f"SIP/2.0 {code} {reason}"]
    for line in lines[1:]:
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "call-id", "i", "cseq", "record-route"):
            out.append(line)
        elif name in ("to", "t"):
            out.append(line if ";tag=" in line or not to_tag else line + f";tag={to_tag}")
    if code == 200 and lines[0].startswith("INVITE"):
        out.append(f"Contact: <sip:bob@127.0.0.1:{contact_port};transport=tls>")
    out.append("Content-Length: 0")
    return ("\r\n".join(out) + "\r\n\r\n").encode()


def uas(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", args.port))
    server.listen(4)
    server.settimeout(args.timeout)
    print("listening", flush=True)
    log = open(args.log, "w") if args.log else sys.stdout
    raw, _ = server.accept()
    conn = ctx.wrap_socket(raw, server_side=True)
    deadline = time.time() + args.timeout
    pending = b""
    handled = []
    for _ in range(10):
        if "BYE" in handled:
            break
        head, pending = read_message(conn, deadline, pending)
        log.write(head + "\r\n\r\n")
        log.flush()
        method = head.split(" ", 1)[0]
        handled.append(method)
        if method == "INVITE":
            conn.sendall(reply_to(head, 180, "Ringing", "uas1", args.port))
            conn.sendall(reply_to(head, 200, "OK", "uas1", args.port))
        elif method == "BYE":
            conn.sendall(reply_to(head, 200, "OK", "uas1", args.port))
    print("handled:", " ".join(handled), flush=True)
    time.sleep(0.5)
    conn.close()
    return 0 if handled[:3] == ["INVITE", "ACK", "BYE"] else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("rest", nargs="*")
    p.add_argument("--ca")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--server-name")
    p.add_argument("--uri")
    p.add_argument("--log")
    p.add_argument("--max-version")
    p.add_argument("--timeout", type=float, default=10.0)
    args = p.parse_args()
    if args.mode == "uas":
        args.port = int(args.rest[0])
        return uas(args)
    args.host, args.port = args.rest[0], int(args.rest[1])
    if args.mode == "rpc":
        args.http_port, args.rpc_method = int(args.rest[2]), args.rest[3]
        return rpc(args)
    if args.mode == "call":
        return call(args)
    if args.mode == "request":
        args.method = args.rest[2]
        request(args)
        return 0
    return {"handshake": handshake, "garbage": garbage, "stall": stall}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
