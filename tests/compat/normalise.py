#!/usr/bin/env python3
"""Prints the SIP messages a peer received, with what differs between any two runs of the same call made
uniform (branches, tags, Call-IDs, ephemeral ports, connection ids, the Server header), so that what Kamailio's and siphost's peers received
can be compared line by line.

usage: normalise.py [--once] sipp MESSAGE_FILE   -- the messages sipp -trace_msg logged as received
       normalise.py [--once] heads FILE          -- message heads separated by blank lines (tls_peer.py)

--once leaves out a message that is byte for byte one received before: over UDP a retransmission (of the
peer's request by a server slow to answer on a loaded machine, or of a server's request that the peer was slow
to answer) comes when the timers say, not when the behaviour under test does.
"""
import re
import sys

# The ports the test chose; any other port on 127.0.0.1 is one the kernel chose.
FIXED_PORTS = {"5060", "5061", "5070", "5080", "5081"}


def port(match):
    value = match.group(2)
    return match.group(1) + (value if value in FIXED_PORTS else "EPHEMERAL")


def via_params_sorted(line):
    """A Via's parameters in one order: their order carries no meaning (RFC 3261 20.42)."""
    name, _, value = line.partition(":")
    sent_by, *params = value.strip().split(";")
    return f"{name}: {';'.join([sent_by] + sorted(params))}"


def equivalent_forms(line):
    """What RFC 3261 makes equal written alike: a status line's reason phrase (21: for the human user), the
    default port 5060 in a Via's sent-by and in a Record-Route or Route URI, the order of Via parameters."""
    if line.startswith("SIP/2.0 "):
        return line[:11]
    name = line.split(":", 1)[0].strip().lower()
    if name in ("via", "v", "record-route", "route"):
        line = re.sub(r"(127\.0\.0\.1):5060(?=[;>\s]|$)", r"\1", line)
    if name in ("via", "v"):
        line = via_params_sorted(line)
    return line


def normalise(message):
    out = []
    head, _, body = message.strip("\r\n").replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    # Header fields of different names in one order: their relative order carries no meaning (RFC 3261
    # 7.3.1); those of one name (the Vias) keep theirs.
    lines = lines[:1] + sorted(lines[1:], key=lambda h: h.split(":", 1)[0].strip().lower())
    if body:
        lines += [""] + body.split("\n")
    for line in lines:
        line = line.rstrip("\r")
        line = re.sub(r"(branch=)[^;>,\s]+", r"\1BRANCH", line)
        line = re.sub(r"(tag=)[^;>,\s]+", r"\1TAG", line)
        line = re.sub(r"^(Call-ID|i):.*$", r"\1: CALLID", line, flags=re.I)
        line = re.sub(r"(127\.0\.0\.1:)(\d+)", port, line)
        line = re.sub(r"(rport=)(\d+)", port, line)
        # A connection id (Via ";i=") is each server's own numbering; whether it is there is compared.
        line = re.sub(r"(;i=)[^;>,\s]+", r"\1ID", line)
        # Each server names itself.
        line = re.sub(r"^(Server|User-Agent):.*$", r"\1: PRODUCT", line, flags=re.I)
        out.append(equivalent_forms(line))
    return "\n".join(out)


def sipp_messages(text):
    # sipp -trace_msg: "----- date\nTCP message received [N] bytes :\n\n<message>\n" per message.
    parts = re.split(r"^-{10,}.*$", text, flags=re.M)
    for part in parts:
        m = re.match(r"\s*\S+ message received \[\d+\] bytes :\s*\n\n(.*)", part, flags=re.S)
        if m:
            yield m.group(1)


def main():
    args = sys.argv[1:]
    once = args[:1] == ["--once"]
    if once:
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    mode, path = args
    text = open(path, encoding="utf-8", errors="replace").read()
    if mode == "sipp":
        messages = list(sipp_messages(text))
    elif mode == "heads":
        messages = [m for m in re.split(r"\r?\n\r?\n", text) if m.strip()]
    else:
        sys.exit(f"unknown mode {mode}")
    if not messages:
        sys.exit(f"no message in {path}")
    if once:
        seen = set()
        messages = [m for m in messages if not (m in seen or seen.add(m))]
    for message in messages:
        print(normalise(message))
        print("--")


if __name__ == "__main__":
    main()
