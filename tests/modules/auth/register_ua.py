"""The REGISTER side the digest test clients share (digest_client.py, authinfo_client.py): one UDP socket on
127.0.0.1, requests to siphost on 127.0.0.1:5060 with a rising CSeq, each sent at most 3 times and each wait
at most 2 s, so no client can loop forever."""
import re
import socket

SERVER = ("127.0.0.1", 5060)


class RegisterUA:
    def __init__(self, port, user, call_id, uri="sip:127.0.0.1"):
        self.port, self.user, self.call_id, self.uri = port, user, call_id, uri
        self.cseq = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(2.0)

    def request(self, authorization=None):
        """Sends a REGISTER (with an Authorization header when given) and returns the final reply's text, or
        "" when none came."""
        self.cseq += 1
        lines = [
            f"REGISTER {self.uri} SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK-{self.call_id}-{self.cseq}",
            f"From: <sip:{self.user}@127.0.0.1>;tag={self.call_id}",
            f"To: <sip:{self.user}@127.0.0.1>",
            f"Call-ID: {self.call_id}",
            f"CSeq: {self.cseq} REGISTER",
            f"Contact: <sip:{self.user}@127.0.0.1:{self.port}>",
            "Max-Forwards: 70",
        ]
        if authorization:
            lines.append("Authorization: " + authorization)
        text = "\r\n".join(lines + ["Content-Length: 0", "", ""])
        for _ in range(3):
            self.sock.sendto(text.encode(), SERVER)
            try:
                while True:
                    data = self.sock.recv(65535).decode(errors="replace")
                    if f"CSeq: {self.cseq} REGISTER" in data:
                        return data
            except socket.timeout:
                continue
        return ""


def status(reply):
    m = re.match(r"SIP/2\.0 (\d{3})", reply)
    return int(m.group(1)) if m else 0
