#!/usr/bin/env python3
"""Sends reg_conn.sh's requests to 127.0.0.1:PORT (argv[1]): REGISTERs over a TCP connection and over UDP, then
MESSAGEs over UDP whose replies say what lookup() found; closes the TCP connection and asks again until the
answer changes (at most 5 s: the server sees the close a moment later). Prints each case and the status line
of its reply. Bounded: each reply is awaited 2 s."""
import socket
import sys
import time

PORT = int(sys.argv[1])


def request(method, user, callid, cseq, case, via, headers=()):
    ruri = "sip:127.0.0.1" if method == "REGISTER" else f"sip:{user}@127.0.0.1"
    lines = [f"{method} {ruri} SIP/2.0", f"Via: {via};branch=z9hG4bK-conn-{PORT}-{callid}-{cseq}",
             f"From: <sip:{user}@127.0.0.1>;tag=f{callid}", f"To: <sip:{user}@127.0.0.1>", f"Call-ID: {callid}",
             f"CSeq: {cseq} {method}", "Max-Forwards: 70", f"X-Case: {case}", *headers, "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


def status_line(data):
    return data.decode(errors="replace").split("\r\n", 1)[0]


def main():
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 5196))
    udp.settimeout(2)
    tcp = socket.create_connection(("127.0.0.1", PORT), timeout=2)
    tcp_via = f"SIP/2.0/TCP 127.0.0.1:{tcp.getsockname()[1]}"
    counter = [0]

    def over_tcp(method, user, case, headers=()):
        counter[0] += 1
        tcp.sendall(request(method, user, f"t{counter[0]}", counter[0], case, tcp_via, headers))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = tcp.recv(65535)
            if not chunk:
                return "connection closed"
            data += chunk
        return status_line(data)

    def over_udp(method, user, case, headers=()):
        counter[0] += 1
        udp.sendto(request(method, user, f"u{counter[0]}", counter[0], case, "SIP/2.0/UDP 127.0.0.1:5196", headers),
                   ("127.0.0.1", PORT))
        try:
            return status_line(udp.recv(65535))
        except socket.timeout:
            return "no reply"

    # alice: a contact over TCP (a UDP URI: what counts is the REGISTER's connection) and one over UDP.
    print("reg-alice-tcp:", over_tcp("REGISTER", "alice", "reg-alice-tcp",
                                     ["Contact: <sip:alice@127.0.0.1:5181>;q=0.9", "Expires: 300"]))
    print("reg-alice-udp:", over_udp("REGISTER", "alice", "reg-alice-udp",
                                     ["Contact: <sip:alice@127.0.0.1:5182>;q=0.5", "Expires: 300"]))
    # bob: only over TCP, with a TCP URI.
    print("reg-bob-tcp:", over_tcp("REGISTER", "bob", "reg-bob-tcp",
                                   ["Contact: <sip:bob@127.0.0.1:5183;transport=tcp>", "Expires: 300"]))
    print("call-alice-open:", over_udp("MESSAGE", "alice", "call-alice-open"))
    print("call-bob-open:", over_udp("MESSAGE", "bob", "call-bob-open"))
    tcp.close()
    # The server learns of the close a moment later; ask until bob's contact goes (bounded).
    status = ""
    end = time.time() + 5
    while time.time() < end:
        status = over_udp("MESSAGE", "bob", "probe")
        if status.startswith("SIP/2.0 404"):
            break
        time.sleep(0.1)
    print("bob-gone:", status)
    print("call-alice-closed:", over_udp("MESSAGE", "alice", "call-alice-closed"))
    print("call-bob-closed:", over_udp("MESSAGE", "bob", "call-bob-closed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
