#!/usr/bin/env python3
"""Sends reg_xavp.sh's requests to 127.0.0.1:PORT (argv[1]) over UDP from 127.0.0.1:5095, one at a time,
and prints each reply's status line and, for a REGISTER, its bindings (URI, expires, q) in a canonical form,
so that Kamailio's and siphost's replies compare. Bounded: each request is sent at most 3 times, each wait
lasts at most 2 s."""
import re
import socket
import sys

PORT = int(sys.argv[1])
LOCAL = ("127.0.0.1", 5095)

# (case, method, user, call-id, cseq, header lines)
REQUESTS = [
    ("two-contacts", "REGISTER", "alice", "ca", 1,
     ["Contact: <sip:alice@127.0.0.1:5081>;q=0.5, <sip:alice@127.0.0.1:5082>;q=0.9",
      "X-Rcv: sip:10.9.9.9:5099", "Expires: 300"]),
    ("lookup-alice", "OPTIONS", "alice", "o1", 1, ["X-Lookup: 1"]),
    ("max-contacts-1-of-2", "REGISTER", "bob", "cb", 1,
     ["Contact: <sip:bob@127.0.0.1:5081>, <sip:bob@127.0.0.1:5082>", "X-Max: 1"]),
    ("max-contacts-1-of-1", "REGISTER", "bob", "cb", 2, ["Contact: <sip:bob@127.0.0.1:5081>", "X-Max: 1"]),
    ("max-contacts-1-more", "REGISTER", "bob", "cb", 3, ["Contact: <sip:bob@127.0.0.1:5083>", "X-Max: 1"]),
    ("max-contacts-2-more", "REGISTER", "bob", "cb", 4, ["Contact: <sip:bob@127.0.0.1:5083>", "X-Max: 2"]),
    ("expires-and-q", "REGISTER", "carol", "cc", 1,
     ["Contact: <sip:carol@127.0.0.1:5081>;expires=100", "X-Exp: 600", "X-Q: 300"]),
    ("query", "REGISTER", "carol", "cc", 2, []),
    ("registered", "OPTIONS", "alice", "o2", 1, ["X-Reg: n"]),
    ("registered-callid", "OPTIONS", "alice", "o3", 1, ["X-Reg: 1", "X-MCallid: ca"]),
    ("registered-other-callid", "OPTIONS", "alice", "o4", 1, ["X-Reg: 1", "X-MCallid: zz"]),
    ("registered-received", "OPTIONS", "alice", "o5", 1, ["X-Reg: 2", "X-MRcv: sip:10.9.9.9:5099"]),
    ("registered-other-received", "OPTIONS", "alice", "o6", 1, ["X-Reg: 2", "X-MRcv: sip:10.9.9.8:5099"]),
    ("registered-contact", "OPTIONS", "alice", "o7", 1, ["X-Reg: 4", "X-MContact: sip:alice@127.0.0.1:5081"]),
    ("registered-other-contact", "OPTIONS", "alice", "o8", 1,
     ["X-Reg: 4", "X-MContact: sip:alice@127.0.0.1:5089"]),
    ("registered-all-three", "OPTIONS", "alice", "o9", 1,
     ["X-Reg: 7", "X-MCallid: ca", "X-MRcv: sip:10.9.9.9:5099", "X-MContact: sip:alice@127.0.0.1:5081"]),
    ("registered-option-unset", "OPTIONS", "alice", "o10", 1, ["X-Reg: 1"]),
    ("registered-no-rcd", "OPTIONS", "alice", "o11", 1,
     ["X-Reg: 6a", "X-MRcv: sip:10.9.9.9:5099", "X-MContact: sip:alice@127.0.0.1:5081"]),
    ("registered-restore", "OPTIONS", "alice", "o15", 1, ["X-Reg: 4r", "X-MContact: sip:alice@127.0.0.1:5082"]),
    ("registered-restore-no-rcd", "OPTIONS", "alice", "o16", 1,
     ["X-Reg: 4s", "X-MContact: sip:alice@127.0.0.1:5082"]),
    ("registered-then-lookup", "OPTIONS", "alice", "o12", 1,
     ["X-Reg: 4", "X-MContact: sip:alice@127.0.0.1:5081", "X-Lookup: 1"]),
    ("path", "REGISTER", "dave", "cd", 1,
     ["Contact: <sip:dave@10.0.0.4:5060>", "Path: <sip:127.0.0.1:5096;lr>", "Expires: 300"]),
    ("lookup-dave", "OPTIONS", "dave", "o13", 1, ["X-Lookup: 1"]),
    ("lookup-nobody-first", "OPTIONS", "nobody", "o14", 1, ["X-Lookup: 1"]),
    ("three-contacts", "REGISTER", "erin", "ce", 1,
     ["Contact: <sip:erin@127.0.0.1:5081>;q=0.9, <sip:erin@127.0.0.1:5082>, <sip:erin@127.0.0.1:5083>;q=0.1"]),
    ("refresh-two", "REGISTER", "erin", "ce", 2,
     ["Contact: <sip:erin@127.0.0.1:5083>;q=0.1, <sip:erin@127.0.0.1:5082>"]),
    ("add-one-remove-one", "REGISTER", "erin", "ce", 3,
     ["Contact: <sip:erin@127.0.0.1:5084>, <sip:erin@127.0.0.1:5082>;expires=0"]),
    ("remove-one", "REGISTER", "erin", "ce", 4, ["Contact: <sip:erin@127.0.0.1:5084>;expires=0"]),
    ("refresh-and-add", "REGISTER", "erin", "ce", 5,
     ["Contact: <sip:erin@127.0.0.1:5081>;q=0.9, <sip:erin@127.0.0.1:5085>;q=0.2"]),
    ("refresh-and-remove", "REGISTER", "erin", "ce", 6,
     ["Contact: <sip:erin@127.0.0.1:5081>;q=0.9, <sip:erin@127.0.0.1:5085>;expires=0"]),
    ("max-contacts-refused-refresh", "REGISTER", "erin", "ce", 7,
     ["Contact: <sip:erin@127.0.0.1:5081>;q=0.9, <sip:erin@127.0.0.1:5086>", "X-Max: 2"]),
    ("remove-all", "REGISTER", "alice", "ca", 2, ["Contact: *", "Expires: 0"]),
    # The socket save() stores with sock_flag (X-Flag sets it): sock_hdr_name's header (WITH_SOCK_HDR) or else
    # the xavp_cfg socket (X-Socket); lookup() then sends from it ($fs).
    ("sock-header", "REGISTER", "frank", "cf", 1,
     ["Contact: <sip:frank@127.0.0.1:5081>", "X-Flag: 1", f"X-Sock: udp:127.0.0.2:{PORT}"]),
    ("sock-header-fs", "OPTIONS", "frank", "of", 1, ["X-Fs: 1"]),
    ("sock-header-and-xavp", "REGISTER", "gina", "cg", 1,
     ["Contact: <sip:gina@127.0.0.1:5081>", "X-Flag: 1", f"X-Sock: udp:127.0.0.1:{PORT}",
      f"X-Socket: udp:127.0.0.2:{PORT}"]),
    ("sock-header-and-xavp-fs", "OPTIONS", "gina", "og", 1, ["X-Fs: 1"]),
    ("sock-header-no-flag", "REGISTER", "hank", "ch", 1,
     ["Contact: <sip:hank@127.0.0.1:5081>", f"X-Sock: udp:127.0.0.2:{PORT}"]),
    ("sock-header-no-flag-fs", "OPTIONS", "hank", "oh", 1, ["X-Fs: 1"]),
    ("sock-header-non-local", "REGISTER", "ivan", "ci", 1,
     ["Contact: <sip:ivan@127.0.0.1:5081>", "X-Flag: 1", "X-Sock: udp:10.1.1.1:5060"]),
    ("sock-header-non-local-fs", "OPTIONS", "ivan", "oi", 1, ["X-Fs: 1"]),
    ("sock-header-any-port", "REGISTER", "judy", "cj", 1,
     ["Contact: <sip:judy@127.0.0.1:5081>", "X-Flag: 1", "x-sock:   127.0.0.2  "]),
    ("sock-header-any-port-fs", "OPTIONS", "judy", "oj", 1, ["X-Fs: 1"]),
    ("sock-header-empty", "REGISTER", "kate", "ck", 1,
     ["Contact: <sip:kate@127.0.0.1:5081>", "X-Flag: 1", "X-Sock: ", f"X-Socket: udp:127.0.0.2:{PORT}"]),
    ("sock-header-empty-fs", "OPTIONS", "kate", "ok", 1, ["X-Fs: 1"]),
]


def bindings(reply):
    """Every Contact value of a reply as (uri, expires, q), sorted: Kamailio writes one comma-separated line
    and q before expires, siphost a line per binding."""
    out = []
    for line in re.findall(r"^(?:Contact|m): (.*?)\r?$", reply, re.M | re.I):
        for value in re.findall(r"<([^>]*)>([^,]*)", line):
            uri, params = value
            expires = re.search(r";expires=(\d+)", params)
            q = re.search(r";q=([0-9.]+)", params)
            # Seconds left in tens, rounded up: a second may tick between two replies.
            left = f"{(int(expires.group(1)) + 9) // 10}0" if expires else "-"
            out.append(f"{uri} expires={left} q={q.group(1) if q else '-'}")
    return sorted(out)


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(LOCAL)
    sock.settimeout(2.0)
    for n, (case, method, user, callid, cseq, headers) in enumerate(REQUESTS, 1):
        ruri = "sip:127.0.0.1" if method == "REGISTER" else f"sip:{user}@127.0.0.1"
        lines = [f"{method} {ruri} SIP/2.0",
                 f"Via: SIP/2.0/UDP 127.0.0.1:{LOCAL[1]};branch=z9hG4bK-xavp-{PORT}-{n}",
                 f"From: <sip:{user}@127.0.0.1>;tag=f{n}", f"To: <sip:{user}@127.0.0.1>",
                 f"Call-ID: {callid}", f"CSeq: {cseq} {method}", "Max-Forwards: 70", f"X-Case: {case}",
                 *headers, "Content-Length: 0", "", ""]
        text = "\r\n".join(lines).encode()
        reply = ""
        for _ in range(3):
            sock.sendto(text, ("127.0.0.1", PORT))
            try:
                while not reply:
                    data = sock.recv(65535).decode(errors="replace")
                    if f"z9hG4bK-xavp-{PORT}-{n}" in data:
                        reply = data
            except socket.timeout:
                continue
            break
        if not reply:
            print(f"{case}: no reply")
            return 1
        print(f"{case}: {reply.splitlines()[0]}")
        if method == "REGISTER":
            for b in bindings(reply):
                print(f"  {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
