#!/usr/bin/env python3
"""Sends the compat scenarios' requests to 127.0.0.1:PORT over UDP, one at a time, and prints each reply's
status line: the same bytes to Kamailio and to siphost, so that what their scripts log can be compared."""
import socket
import sys

REQUESTS = [
    ("OPTIONS", "sip:alice@example.org;transport=udp;x=1", "X-Case: first\r\nX-Num: 42\r\nX-Text: Hello World\r\n"),
    ("INVITE", "sip:+49-301234@127.0.0.1:5060;user=phone", "X-Case: second\r\nX-Num: -7\r\nX-Text: a,b;c=d\r\n"
     "Contact: \"Bob B\" <sip:bob@192.168.1.20:5062;ob>;expires=60\r\n"
     "P-Asserted-Identity: \"Carol\" <sip:carol@pai.example.org>\r\n"
     "P-Preferred-Identity: \"Dave D\" <sip:dave@ppi.example.org:5070>\r\n"
     "Diversion: <sip:diverter@div.example.org>;reason=unconditional\r\n"
     "Refer-To: <sip:target@refer.example.org>\r\n"
     "Content-Type: text/plain\r\n"),
    ("REGISTER", "sip:example.org", "X-Case: third\r\nX-Num: 0\r\nX-Text: none\r\n"
     "Contact: <sip:alice@127.0.0.1:5090>\r\n"
     "Authorization: Digest username=\"alice@home.example.org\", realm=\"example.org\", nonce=\"abc123\", "
     "uri=\"sip:example.org\", response=\"0123456789abcdef0123456789abcdef\", algorithm=MD5, qop=auth, "
     "nc=00000001, cnonce=\"xyz\"\r\n"),
    # In a dialog, sent by the callee (upstream): the proxy's own Route names the caller's tag as ftag.
    ("BYE", "sip:alice@127.0.0.1:5090", "X-Case: fourth\r\nX-Num: 4\r\nX-Text: in dialog\r\n"
     "Route: <sip:127.0.0.1:{port};lr;ftag=caller-tag>\r\n", "caller-tag"),
]

# Sent after REQUESTS when a scenario asks for them ("# send: auth" in its config, passed as the second
# argument): credentials in several Authorization and Proxy-Authorization headers, for the auth selects.
AUTH_REQUESTS = [
    ("MESSAGE", "sip:bob@example.org", "X-Case: auth\r\nX-Num: 5\r\nX-Text: credentials\r\n"
     "Proxy-Authorization: Digest username=\"bob\", realm=\"first.example\", nonce=\"n1\", "
     "uri=\"sip:bob@example.org\", response=\"r1\", opaque=\"op1\"\r\n"
     "Proxy-Authorization: Digest username=\"carol@c.example\", realm=\"Second.Example\", nonce=\"n2\", "
     "uri=\"sip:x\", response=\"r2\", algorithm=SHA-256, qop=auth-int, nc=00000002, cnonce=\"c2\"\r\n"
     "Authorization: Digest username=\"dave\", realm=\"first.example\", nonce=\"n3\", response=\"r3\"\r\n"
     "Authorization: Digest username=\"eve@e.example\", realm=\"first.example\", nonce=\"n4\", "
     "response=\"r4\"\r\n"
     "Authorization: Basic YWxpY2U6c2VjcmV0\r\n"),
]


def main():
    port = int(sys.argv[1])
    requests = REQUESTS + (AUTH_REQUESTS if sys.argv[2:] == ["auth"] else [])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 5090))
    sock.settimeout(5)
    for n, (method, uri, extra, *to_tag) in enumerate(requests, 1):
        extra = extra.replace("{port}", str(port))
        to = f"<sip:bob@example.org>;tag={to_tag[0]}" if to_tag else "<sip:bob@example.org>"
        text = (f"{method} {uri} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-compat-{n};rport\r\n"
                f"From: \"Alice A\" <sip:alice@example.org>;tag=from-{n}\r\n"
                f"To: {to}\r\n"
                f"Call-ID: compat-{n}@127.0.0.1\r\n"
                f"CSeq: {n} {method}\r\n"
                f"Max-Forwards: 70\r\n"
                f"{extra}"
                f"Content-Length: 0\r\n\r\n")
        sock.sendto(text.encode(), ("127.0.0.1", port))
        reply = sock.recv(65535).decode(errors="replace")
        print(f"{method}: {reply.splitlines()[0]}")


if __name__ == "__main__":
    main()
