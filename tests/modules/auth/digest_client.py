#!/usr/bin/env python3
"""A UA that answers digest challenges with SHA-256 (RFC 7616/8760), which sipp cannot: it registers alice
through siphost on 127.0.0.1:5060 and replays a nonce count. Bounded: every request is sent at most 3 times,
each wait lasts at most 2 s. Prints PASS or FAIL lines; exits 0 only when every step went as expected."""
import hashlib
import re
import socket
import sys

SERVER = ("127.0.0.1", 5060)
LOCAL = ("127.0.0.1", 5072)
USER, PASSWORD = "alice", "wonderland"

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(LOCAL)
sock.settimeout(2.0)
cseq = 0


def request(authorization=None):
    global cseq
    cseq += 1
    lines = [
        f"REGISTER sip:127.0.0.1 SIP/2.0",
        f"Via: SIP/2.0/UDP 127.0.0.1:{LOCAL[1]};branch=z9hG4bK-py-{cseq}",
        f"From: <sip:{USER}@127.0.0.1>;tag=py",
        f"To: <sip:{USER}@127.0.0.1>",
        "Call-ID: digest-client",
        f"CSeq: {cseq} REGISTER",
        f"Contact: <sip:{USER}@127.0.0.1:{LOCAL[1]}>",
        "Max-Forwards: 70",
    ]
    if authorization:
        lines.append("Authorization: " + authorization)
    text = "\r\n".join(lines + ["Content-Length: 0", "", ""])
    for _ in range(3):
        sock.sendto(text.encode(), SERVER)
        try:
            while True:
                data = sock.recv(65535).decode(errors="replace")
                if f"CSeq: {cseq} REGISTER" in data:
                    return data
        except socket.timeout:
            continue
    return ""


def status(reply):
    m = re.match(r"SIP/2\.0 (\d{3})", reply)
    return int(m.group(1)) if m else 0


def challenges(reply):
    return re.findall(r"^WWW-Authenticate: (.*)$", reply, re.M)


def param(challenge, name):
    m = re.search(name + r'=("([^"]*)"|[^,\s]+)', challenge)
    return (m.group(2) if m.group(2) is not None else m.group(1)) if m else None


def credentials(challenge, algorithm, nc):
    h = (lambda s: hashlib.sha256(s.encode()).hexdigest()) if algorithm == "SHA-256" else (
        lambda s: hashlib.md5(s.encode()).hexdigest())
    realm, nonce = param(challenge, "realm"), param(challenge, "nonce")
    cnonce, uri, nc_text = "c0ffee42", "sip:127.0.0.1", f"{nc:08x}"
    ha1 = h(f"{USER}:{realm}:{PASSWORD}")
    ha2 = h(f"REGISTER:{uri}")
    response = h(f"{ha1}:{nonce}:{nc_text}:{cnonce}:auth:{ha2}")
    return (f'Digest username="{USER}", realm="{realm}", nonce="{nonce}", uri="{uri}", response="{response}", '
            f'algorithm={algorithm}, qop=auth, nc={nc_text}, cnonce="{cnonce}"')


failed = False


def expect(what, ok):
    global failed
    print(("PASS: " if ok else "FAIL: ") + what)
    failed = failed or not ok


first = request()
offered = challenges(first)
expect("401 offers SHA-256 then MD5", status(first) == 401 and len(offered) == 2 and
       param(offered[0], "algorithm") == "SHA-256" and param(offered[1], "algorithm") == "MD5")
if offered:
    sha = offered[0]
    expect("SHA-256 credentials are accepted", status(request(credentials(sha, "SHA-256", 1))) == 200)
    replay = request(credentials(sha, "SHA-256", 1))
    expect("the same nc again is challenged", status(replay) == 401 and "stale" not in replay)
    expect("the next nc is accepted", status(request(credentials(sha, "SHA-256", 2))) == 200)
    expect("MD5 credentials are accepted", status(request(credentials(offered[1], "MD5", 3))) == 200)
    wrong = credentials(sha, "SHA-256", 4).replace('algorithm=SHA-256', 'algorithm=SHA-512-256')
    expect("an algorithm that was not offered is challenged again", status(request(wrong)) == 401)
sys.exit(1 if failed else 0)
