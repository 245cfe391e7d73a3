#!/usr/bin/env python3
"""A UA that checks auth's add_authinfo_hdr over the wire: it registers alice through siphost on
127.0.0.1:5060 (auth.cfg) and reads the Authentication-Info header of the 200, computing the rspauth it must
carry per RFC 2617 3.2.3 itself. MODE (argv[1]): "qop" (nonce_count, qop=auth: the header repeats qop, cnonce
and nc, and nextnonce is the nonce used), "otn" (one_time_nonce, no qop: nextnonce is a new nonce, and the UA
registers again with it without a new challenge), "off" (the parameter not set: no header). Bounded: every
request is sent at most 3 times, each wait lasts at most 2 s. Prints PASS or FAIL lines; exits 0 only when
every step went as expected."""
import hashlib
import re
import sys

from register_ua import RegisterUA, status

USER, PASSWORD, URI = "alice", "wonderland", "sip:127.0.0.1"
MODE = sys.argv[1] if len(sys.argv) > 1 else "qop"
ua = RegisterUA(5073, USER, "authinfo-client", URI)
request = ua.request


def header(reply, name):
    found = re.findall(r"^" + name + r": (.*?)\r?$", reply, re.M | re.I)
    return found


def param(text, name):
    m = re.search(r"(?:^|[\s,])" + name + r'=("([^"]*)"|[^,\s]*)', text)
    return (m.group(2) if m.group(2) is not None else m.group(1)) if m else None


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


HA1 = None


def credentials(realm, nonce, nc=1, password=PASSWORD, qop=True):
    global HA1
    ha1 = md5(f"{USER}:{realm}:{password}")
    HA1 = md5(f"{USER}:{realm}:{PASSWORD}")
    ha2 = md5(f"REGISTER:{URI}")
    if qop:
        nc_text, cnonce = f"{nc:08x}", f"cn{nc}"
        response = md5(f"{ha1}:{nonce}:{nc_text}:{cnonce}:auth:{ha2}")
        return (f'Digest username="{USER}", realm="{realm}", nonce="{nonce}", uri="{URI}", '
                f'response="{response}", algorithm=MD5, qop=auth, nc={nc_text}, cnonce="{cnonce}"')
    response = md5(f"{ha1}:{nonce}:{ha2}")
    return (f'Digest username="{USER}", realm="{realm}", nonce="{nonce}", uri="{URI}", '
            f'response="{response}", algorithm=MD5')


def rspauth(nonce, nc=None, cnonce=None):
    """RFC 2617 3.2.3: the response digest with A2 = ":" digest-uri."""
    ha2 = md5(f":{URI}")
    if nc is None:
        return md5(f"{HA1}:{nonce}:{ha2}")
    return md5(f"{HA1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")


failed = False


def expect(what, ok, detail=""):
    global failed
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok or not detail else f" ({detail})"))
    failed = failed or not ok


first = request()
challenge = (header(first, "WWW-Authenticate") or [""])[0]
expect("401 with a challenge", status(first) == 401 and challenge != "", first[:200])
realm, nonce = param(challenge, "realm"), param(challenge, "nonce")
expect("no Authentication-Info on a challenge", not header(first, "Authentication-Info"))

if MODE == "qop":
    wrong = request(credentials(realm, nonce, 1, password="guess"))
    expect("a wrong password gets a new challenge and no Authentication-Info",
           status(wrong) == 401 and not header(wrong, "Authentication-Info"))
    ok = request(credentials(realm, nonce, 1))
    info = header(ok, "Authentication-Info")
    expect("200 with one Authentication-Info", status(ok) == 200 and len(info) == 1, ok[:400])
    if info:
        h = info[0]
        expect("nextnonce is the nonce used (no one_time_nonce)", param(h, "nextnonce") == nonce, h)
        expect("qop, cnonce and nc repeat the credentials'",
               param(h, "qop") == "auth" and param(h, "cnonce") == "cn1" and param(h, "nc") == "00000001", h)
        expect("rspauth is RFC 2617's", param(h, "rspauth") == rspauth(nonce, "00000001", "cn1"), h)
    again = request(credentials(realm, nonce, 2))
    info = header(again, "Authentication-Info")
    expect("the next nc: rspauth follows nc and cnonce",
           status(again) == 200 and len(info) == 1 and
           param(info[0], "rspauth") == rspauth(nonce, "00000002", "cn2"), again[:400])
elif MODE == "otn":
    ok = request(credentials(realm, nonce, qop=False))
    info = header(ok, "Authentication-Info")
    expect("200 with one Authentication-Info", status(ok) == 200 and len(info) == 1, ok[:400])
    if info:
        h = info[0]
        expect("no qop, cnonce or nc without qop",
               param(h, "qop") is None and param(h, "cnonce") is None and param(h, "nc") is None, h)
        expect("rspauth is RFC 2617's (no qop)", param(h, "rspauth") == rspauth(nonce), h)
        nxt = param(h, "nextnonce")
        expect("nextnonce is a new nonce (one_time_nonce)", nxt not in (None, "", nonce), h)
        reused = request(credentials(realm, nonce, qop=False))
        expect("the used nonce is refused", status(reused) == 401)
        follow = request(credentials(realm, nxt, qop=False))
        expect("nextnonce is accepted without a new challenge", status(follow) == 200, follow[:300])
else:
    ok = request(credentials(realm, nonce, 1))
    expect("200 without Authentication-Info when add_authinfo_hdr is not set",
           status(ok) == 200 and not header(ok, "Authentication-Info"), ok[:400])
sys.exit(1 if failed else 0)
