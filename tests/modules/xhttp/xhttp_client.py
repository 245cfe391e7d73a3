"""HTTP and SIP clients against siphost's TCP listener (xhttp_test.sh starts the host). Exits non-zero
with the reason on the first failed expectation; every socket has a timeout, so nothing waits forever."""
import http.client
import json
import socket
import sys

PORT = int(sys.argv[1])
TIMEOUT = 5


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)


def request(method, url, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=TIMEOUT)
    conn.request(method, url, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read().decode()
    conn.close()
    return resp, data


def raw(data):
    """Sends bytes on a new connection; returns what comes back before the peer stops talking."""
    with socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT) as s:
        s.sendall(data)
        got = b""
        try:
            while b"\r\n\r\n" not in got:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            pass
        return got.decode(errors="replace")


# A GET without Content-Length runs the event route; xhttp_reply answers with HTTP/1.1.
resp, body = request("GET", "/status?x=1&y=%41", headers={"User-Agent": "xhttp-test"})
check(resp.status == 200 and resp.reason == "OK", f"GET: {resp.status} {resp.reason}")
check(resp.version == 11, f"GET: HTTP version {resp.version}")
check(resp.getheader("Content-Type") == "text/plain", f"GET: Content-Type {resp.getheader('Content-Type')}")
check(body == "url=/status?x=1&y=%41 method=GET agent=xhttp-test", f"GET body: {body!r}")
check(int(resp.getheader("Content-Length")) == len(body), "GET: Content-Length")

# A POST with a body (the body itself is checked through JSON-RPC below).
resp, body = request("POST", "/form", body="a=1", headers={"Content-Type": "text/plain"})
check(resp.status == 200 and body == "url=/form method=POST agent=<null>", f"POST: {resp.status} {body!r}")

# JSON-RPC over HTTP.
doc = json.dumps({"jsonrpc": "2.0", "method": "core.version", "id": 1})
resp, body = request("POST", "/RPC", body=doc, headers={"Content-Type": "application/json"})
check(resp.status == 200, f"core.version: HTTP {resp.status}")
check(resp.getheader("Content-Type") == "application/json", "core.version: Content-Type")
reply = json.loads(body)
check(reply.get("jsonrpc") == "2.0" and reply.get("id") == 1 and "result" in reply, f"core.version: {body}")
check("error" not in reply, f"core.version: {body}")

doc = json.dumps({"jsonrpc": "2.0", "method": "no.such.method", "id": 7})
resp, body = request("POST", "/RPC", body=doc)
reply = json.loads(body)
check(reply.get("id") == 7 and "error" in reply and "result" not in reply, f"unknown method: {body}")
check(reply["error"].get("code") == resp.status == 500, f"unknown method: {resp.status} {body}")

resp, body = request("POST", "/RPC", body="{not json")
reply = json.loads(body)
check(reply.get("error", {}).get("code") == -32700, f"bad JSON: {resp.status} {body}")

# An unanswered request gets 500; a URL url_skip matches, or a malformed request, get the host's error.
resp, _ = request("GET", "/silent")
check(resp.status == 500, f"unanswered: {resp.status}")
resp, _ = request("GET", "/skipped/page")
check(resp.status == 404, f"url_skip: {resp.status}")
got = raw(b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n")
check(got.startswith("HTTP/1.1 400 "), f"space in the target: {got!r}")
got = raw(b"GET /x HTTP/2.0\r\nHost: x\r\n\r\n")
check(got.startswith("HTTP/1.1 400 "), f"HTTP/2.0: {got!r}")
got = raw(b"GET /x HTTP/1.1\r\nContent-Length: zz\r\n\r\n")
check(got == "", f"bad Content-Length is not framed: {got!r}")
got = raw(b"GET /x HTTP/1.1\r\nCall-ID: a\r\nCall-ID: b\r\n\r\n")
check(got.startswith("HTTP/1.1 400 "), f"duplicate header: {got!r}")

# SIP on the same listener still runs request_route; a SIP request cannot pass for HTTP.
sip = ("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKxh1\r\n"
       "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\nCall-ID: xh1\r\nCSeq: 1 OPTIONS\r\n"
       "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
got = raw(sip.encode())
check(got.startswith("SIP/2.0 404 SIP request_route"), f"SIP: {got!r}")
got = raw(sip.replace("sip:127.0.0.1 SIP", "sip:%2Fx@http.invalid SIP").encode())
check(got == "", f"SIP for the HTTP mark: {got!r}")

# Still serving after all that.
resp, body = request("GET", "/again")
check(resp.status == 200 and body.startswith("url=/again "), f"after the errors: {resp.status} {body!r}")
print("all HTTP cases passed")
