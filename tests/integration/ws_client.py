#!/usr/bin/env python3
"""A SIP over WebSocket client (RFC 7118) for the websocket tests, written on Debian's python3-websockets.

  ws_client.py answer URI USER     registers USER, then answers one call (180, 200), waits for its ACK and BYE
  ws_client.py call URI TARGET     calls TARGET through the proxy, ACKs the 200 along its Record-Route, hangs up
  ws_client.py refused URI         a handshake without the sip subprotocol must be refused (400)
  ws_client.py hold URI --go FILE  sends an OPTIONS, prints "local IP:PORT" once answered, closes the connection
                                   when FILE exists
  ws_client.py hold URI --server-closes   the same, then waits for the server to close the connection

--invalid-contact makes the Contact a browser's (an .invalid host), for the nathelper path.

URI is ws://... or wss://... (--ca names the CA file for wss). Every wait is bounded (--timeout). Prints what it
saw ("registered", "invite via: ...", "call done") and exits 0, or prints "error: ..." and exits 1.
"""
import argparse
import asyncio
import os
import random
import ssl
import sys

try:
    import websockets
except ImportError as e:  # the test scripts run Debian's /usr/bin/python3, which has python3-websockets
    print("error: cannot import websockets (%s): install python3-websockets and run with /usr/bin/python3" % e)
    sys.exit(1)


def parse(text):
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return lines[0], headers, body


def values(headers, name):
    return [v for n, v in headers if n.lower() == name.lower()]


def first(headers, name):
    found = values(headers, name)
    return found[0] if found else ""


def tag():
    return "%08x" % random.getrandbits(32)


class Client:
    def __init__(self, ws, host, timeout, invalid_contact=False):
        self.ws = ws
        self.invalid_contact = invalid_contact
        self.timeout = timeout
        local = ws.transport.get_extra_info("sockname")
        self.local = "%s:%d" % (local[0], local[1])
        self.transport = "wss" if ws.secure else "ws"
        self.host = host

    async def send(self, text):
        await self.ws.send(text)

    async def recv(self):
        message = await asyncio.wait_for(self.ws.recv(), self.timeout)
        if isinstance(message, bytes):
            message = message.decode()
        print("<<< " + message.split("\r\n", 1)[0], flush=True)
        return message

    def via(self, branch):
        return "SIP/2.0/%s df7jal23ls0d.invalid;branch=z9hG4bK%s;rport" % (self.transport.upper(), branch)

    def contact(self, user):
        # A browser cannot know its address: its Contact names an .invalid host (RFC 7118 5.2).
        where = "df7jal23ls0d.invalid" if self.invalid_contact else self.local
        return "<sip:%s@%s;transport=%s>" % (user, where, self.transport)

    async def expect_final(self, method):
        while True:
            status, headers, _ = parse(await self.recv())
            if not status.startswith("SIP/2.0 "):
                raise RuntimeError("a request while waiting for the %s's answer: %s" % (method, status))
            code = int(status.split()[1])
            if code >= 200:
                return code, status, headers


async def answer(client, user):
    call_id = tag() + "@reg"
    await client.send(
        "REGISTER sip:%s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\nFrom: <sip:%s@%s>;tag=%s\r\n"
        "To: <sip:%s@%s>\r\nCall-ID: %s\r\nCSeq: 1 REGISTER\r\nContact: %s;expires=600\r\nExpires: 600\r\n"
        "Content-Length: 0\r\n\r\n"
        % (client.host, client.via(tag()), user, client.host, tag(), user, client.host, call_id,
           client.contact(user)))
    code, status, _ = await client.expect_final("REGISTER")
    if code != 200:
        raise RuntimeError("REGISTER answered " + status)
    print("registered", flush=True)
    to_tag = tag()
    acked = False
    while True:
        text = await client.recv()
        start, headers, _ = parse(text)
        method = start.split()[0]
        if method == "INVITE":
            print("invite via: " + values(headers, "Via")[0], flush=True)
            for rr in values(headers, "Record-Route"):
                print("invite record-route: " + rr, flush=True)
            common = "".join("Via: %s\r\n" % v for v in values(headers, "Via"))
            common += "".join("Record-Route: %s\r\n" % v for v in values(headers, "Record-Route"))
            common += "From: %s\r\nTo: %s;tag=%s\r\nCall-ID: %s\r\nCSeq: %s\r\n" % (
                first(headers, "From"), first(headers, "To"), to_tag, first(headers, "Call-ID"),
                first(headers, "CSeq"))
            await client.send("SIP/2.0 180 Ringing\r\n" + common + "Content-Length: 0\r\n\r\n")
            await client.send("SIP/2.0 200 OK\r\n" + common + "Contact: %s\r\nContent-Length: 0\r\n\r\n"
                              % client.contact(user))
        elif method == "ACK":
            acked = True
        elif method == "BYE":
            await client.send("SIP/2.0 200 OK\r\n" + "".join("Via: %s\r\n" % v for v in values(headers, "Via")) +
                              "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n" % (
                                  first(headers, "From"), first(headers, "To"), first(headers, "Call-ID"),
                                  first(headers, "CSeq")))
            if not acked:
                raise RuntimeError("BYE before the ACK")
            print("call done", flush=True)
            return
        else:
            raise RuntimeError("unexpected " + start)


async def call(client, target):
    from_tag, call_id = tag(), tag() + "@ws"
    request_uri = "sip:%s@%s" % (target, client.host)
    frm = "<sip:alice@%s>;tag=%s" % (client.host, from_tag)
    await client.send(
        "INVITE %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: <%s>\r\nCall-ID: %s\r\n"
        "CSeq: 1 INVITE\r\nContact: %s\r\nContent-Length: 0\r\n\r\n"
        % (request_uri, client.via(tag()), frm, request_uri, call_id, client.contact("alice")))
    code, status, headers = await client.expect_final("INVITE")
    if code != 200:
        raise RuntimeError("INVITE answered " + status)
    to = first(headers, "To")
    target_uri = first(headers, "Contact").strip("<>").split(">")[0]
    routes = list(reversed(values(headers, "Record-Route")))
    for rr in routes:
        print("200 record-route: " + rr, flush=True)
    route = "".join("Route: %s\r\n" % r for r in routes)

    def in_dialog(method, cseq):
        return ("%s %s SIP/2.0\r\nVia: %s\r\n%sMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
                "CSeq: %d %s\r\nContent-Length: 0\r\n\r\n"
                % (method, target_uri, client.via(tag()), route, frm, to, call_id, cseq, method))

    await client.send(in_dialog("ACK", 1))
    await asyncio.sleep(0.3)
    await client.send(in_dialog("BYE", 2))
    code, status, _ = await client.expect_final("BYE")
    if code != 200:
        raise RuntimeError("BYE answered " + status)
    print("call done", flush=True)


async def hold(client, go, server_closes):
    await client.send(
        "OPTIONS sip:%s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\nFrom: <sip:hold@%s>;tag=%s\r\n"
        "To: <sip:%s>\r\nCall-ID: %s@hold\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        % (client.host, client.via(tag()), client.host, tag(), client.host, tag()))
    await client.expect_final("OPTIONS")
    print("local " + client.local, flush=True)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + client.timeout
    if server_closes:
        try:
            await asyncio.wait_for(client.ws.recv(), client.timeout)
            raise RuntimeError("a message instead of the server's close")
        except websockets.exceptions.ConnectionClosed as e:
            print("closed by the server: %s %s" % (e.code, e.reason), flush=True)
        return
    while not os.path.exists(go):
        if loop.time() > deadline:
            raise RuntimeError("%s did not appear within %.0f s" % (go, client.timeout))
        await asyncio.sleep(0.05)
    await client.ws.close()
    print("closed by the client", flush=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["answer", "call", "refused", "hold"])
    parser.add_argument("uri")
    parser.add_argument("name", nargs="?", default="alice")
    parser.add_argument("--ca")
    parser.add_argument("--timeout", type=float, default=20)
    parser.add_argument("--invalid-contact", action="store_true", help="a browser's Contact (.invalid host)")
    parser.add_argument("--go", help="hold: close once this file exists")
    parser.add_argument("--server-closes", action="store_true", help="hold: wait for the server's close")
    args = parser.parse_args()
    context = None
    if args.uri.startswith("wss:"):
        context = ssl.create_default_context(cafile=args.ca)
        context.check_hostname = False
    host = args.uri.split("/")[2]
    if args.mode == "refused":
        try:
            async with websockets.connect(args.uri, ssl=context, open_timeout=args.timeout):
                raise RuntimeError("a handshake without the sip subprotocol was accepted")
        except websockets.exceptions.InvalidStatusCode as e:
            print("refused with %d" % e.status_code, flush=True)
        return
    async with websockets.connect(args.uri, subprotocols=["sip"], ssl=context, open_timeout=args.timeout,
                                  ping_interval=None) as ws:
        if ws.subprotocol != "sip":
            raise RuntimeError("the server did not choose the sip subprotocol")
        client = Client(ws, host, args.timeout, args.invalid_contact)
        if args.mode == "hold":
            if not args.server_closes and not args.go:
                raise RuntimeError("hold needs --go FILE or --server-closes")
            await hold(client, args.go, args.server_closes)
            return
        if args.mode == "answer":
            await answer(client, args.name)
        else:
            await call(client, args.name)
        await ws.close()


try:
    asyncio.run(main())
except Exception as e:  # every failure is the test's: report it in words
    print("error: %s: %s" % (type(e).__name__, e), flush=True)
    sys.exit(1)
