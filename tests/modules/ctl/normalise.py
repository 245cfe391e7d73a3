#!/usr/bin/env python3
"""Normalises what kamcmd printed so that Kamailio's and siphost's replies compare by shape.

    normalise.py MODE FILE

kamcmd prints a struct as "{", one "\tkey: value" line a member, "}"; other values one a line; a fault as
"error: CODE - message". Values become their kind (N: a number, T: a time, V: a version line, S: any other
string); keys, nesting, fault codes and messages stay. MODE:
    tree    the reply line by line, values normalised
    shapes  each distinct struct shape once, sorted (core.psx: as many structs as processes or threads)
    pairs   pid/description pairs (core.ps) collapsed to one
    stats   "group:name = value" lines: the sorted names, values dropped
    usrloc  the reply as it is but for what differs between two servers' registrations of the same contacts:
            ruids (R), registration times (T), seconds left (E), the server's port (PORT)
"""
import re
import sys

NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
TIME = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}$")
VERSION = re.compile(r"^[a-z]+ [0-9]+\.[0-9]+\.[0-9]+(-[a-z0-9.]+)? \([a-z0-9_]+/linux\) ?$")


def kind(value):
    value = value.strip()
    if NUMBER.match(value):
        return "N"
    if TIME.match(value):
        return "T"
    if VERSION.match(value):
        return "V"
    return "S"


def tree(lines):
    out = []
    for line in lines:
        if line.startswith("error: "):
            out.append(line)
        elif line in ("{", "}"):
            out.append(line)
        elif line.startswith("\t") and ": " in line:
            key, value = line[1:].split(": ", 1)
            out.append("\t%s: %s" % (key, kind(value)))
        elif line.startswith("\t") and line.endswith(":"):
            out.append(line)
        else:
            out.append(kind(line))
    return out


def shapes(lines):
    blocks, current = set(), []
    for line in tree(lines):
        current.append(line)
        if line == "}":
            blocks.add("\n".join(current))
            current = []
    return sorted(blocks) + current


def pairs(lines):
    kinds = tree(lines)
    collapsed = sorted(set(" ".join(kinds[i:i + 2]) for i in range(0, len(kinds), 2)))
    return collapsed


def stats(lines):
    out = []
    for line in lines:
        if line.startswith("error: "):
            out.append(line)
            continue
        m = re.match(r"^([^ ]+) = -?[0-9]+$", line)
        out.append(m.group(1) if m else "UNPARSED " + line)
    return sorted(out)


def usrloc(lines):
    out = []
    for line in lines:
        line = re.sub(r"uloc-[0-9a-f]+-[0-9a-f]+-[0-9]+", "R", line)
        line = re.sub(r"^(\t*(Last-Modified|Last-Keepalive): )[0-9]+$", r"\1T", line)
        line = re.sub(r"^(\t*Expires: )[0-9]+$", r"\1E", line)
        out.append(re.sub(r":51[0-9][0-9]\b", ":PORT", line))
    return out


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [line.rstrip("\n") for line in f if line.strip() != ""]
    for line in {"tree": tree, "shapes": shapes, "pairs": pairs, "stats": stats, "usrloc": usrloc}[mode](lines):
        print(line)


if __name__ == "__main__":
    main()
