#!/usr/bin/env python3
"""A UA that answers digest challenges with SHA-256 (RFC 7616/8760), which sipp cannot: it registers alice
through siphost on 127.0.0.1:5060 and replays a nonce count. Bounded: every request is sent at most 3 times,
each wait lasts at most 2 s. Prints PASS or FAIL lines; exits 0 only when every step went as expected."""
import hashlib
import re
import sys

from register_ua import RegisterUA, status

USER, PASSWORD = "alice", "wonderland"
ua = RegisterUA(5072, USER, "digest-client")
request = ua.request


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
