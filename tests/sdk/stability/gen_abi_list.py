#!/usr/bin/env python3
"""Writes abi_v1.def, the list of what the baseline ABI v1 headers declare, for the stability test.

    gen_abi_list.py BASELINE_DIR            prints the list
    gen_abi_list.py BASELINE_DIR --check F  exit status 1, with a diff, when F is not exactly that list

The list is committed and the test reads only the list, so that the test needs nothing but a C++ compiler.
This script exists so that the list is complete (a field left out of it would never be compared) and stays
so: the sdk_abi_stability_list_complete test runs it with --check. The baseline headers never change, so
neither does the list.

The parser knows just enough C for these headers: typedef'd structs whose members are declared one per
statement (plain fields, arrays, function pointers), enums, and object-like macros. It stops on anything
else in a struct body rather than guess.
"""
import difflib
import re
import sys
from pathlib import Path

HEADERS = ["siphost/module.h", "siphost/api/sl.h", "siphost/api/tm.h"]

# Macros that carry the minor: a later minor raises them, so they may only grow.
MINOR_MACROS = {"SIPHOST_ABI_MINOR", "SIPHOST_REQUIRE_MINOR"}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def macros(text, guard):
    out = []
    for line in text.replace("\\\n", " ").splitlines():
        m = re.match(r"\s*#\s*define\s+(\w+)(\(?)(.*)$", line)
        if not m:
            continue
        name, function_like, value = m.group(1), m.group(2), m.group(3).strip()
        # Not values: the include guard, function-like macros (SIPHOST_HAS, SIPHOST_MODULE), and the
        # attribute and linkage spellings (SIPHOST_EXPORT, SIPHOST_EXTERN_C), which differ by platform.
        if name == guard or function_like or not value:
            continue
        if re.search(r"__attribute__|__declspec|extern", value):
            continue
        if name in (n for _, n in out):
            continue
        if value.startswith('"'):
            out.append(("ABI_STRING", name))
        elif name in MINOR_MACROS:
            out.append(("ABI_MINOR", name))
        else:
            out.append(("ABI_CONSTANT", name))
    return out


def split_top_level(body, sep):
    parts, depth, start = [], 0, 0
    for i, c in enumerate(body):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts


def member_name(decl, struct):
    if len(split_top_level(decl, ",")) > 1:
        sys.exit(f"gen_abi_list.py: {struct}: one member per declaration, please: '{decl}'")
    m = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", decl)  # a function pointer
    if m:
        return m.group(1)
    m = re.search(r"(\w+)\s*(\[[^\]]*\])?\s*$", decl)
    if not m or "(" in decl or "{" in decl:
        sys.exit(f"gen_abi_list.py: {struct}: cannot read the member '{decl}'")
    return m.group(1)


def entries(header):
    raw = header.read_text()
    text = strip_comments(raw)
    guard = re.search(r"#ifndef\s+(\w+)\s*\n\s*#define\s+\1", text).group(1)
    found = []  # (position in the header, line of the list)
    for kind, name in macros(text, guard):
        pos = re.search(r"#\s*define\s+" + name + r"\b", text).start()
        found.append((pos, f"{kind}({name})"))
    for m in re.finditer(r"\benum\s+\w+\s*\{([^}]*)\}", text):
        for item in m.group(1).split(","):
            name = item.split("=")[0].strip()
            if name:
                found.append((m.start(), f"ABI_CONSTANT({name})"))
    for m in re.finditer(r"\btypedef\s+struct\s+(\w+)\s*\{([^}]*)\}\s*(\w+)\s*;", text):
        struct, body, alias = m.group(1), m.group(2), m.group(3)
        if struct != alias:
            sys.exit(f"gen_abi_list.py: struct {struct} is typedef'd as {alias}")
        lines = [f"ABI_STRUCT({struct})"]
        for decl in split_top_level(body, ";"):
            decl = " ".join(decl.split())
            if not decl:
                continue
            field = member_name(decl, struct)
            kind = "ABI_RESERVED" if field.startswith("reserved") else "ABI_FIELD"
            lines.append(f"{kind}({struct}, {field})")
        found.append((m.start(), "\n".join(lines)))
    return [line for _, line in sorted(found, key=lambda f: f[0])]


PREAMBLE = """\
/* ABI v1 as the baseline headers (baseline/siphost/) declare it: every macro value, enum constant, struct and
 * field, in the order of the headers. Written by gen_abi_list.py (run it to regenerate, never edit by hand);
 * the baseline never changes, so neither does this list.
 *
 * Each translation unit of the stability test expands it against the headers on its own include path:
 *   ABI_STRUCT(type)           the struct's size may only grow
 *   ABI_FIELD(type, field)     its offset, size and type never change
 *   ABI_RESERVED(type, field)  not compared: a later minor may give it a meaning and a name, or take slots
 *                              of a reserved array (its struct's size and its neighbours are still checked)
 *   ABI_CONSTANT(name)         an enum constant's or a macro's value and width never change
 *   ABI_MINOR(name)            a minor number: it may only grow
 *   ABI_STRING(name)           a string macro never changes */
"""


def generate(baseline):
    out = [PREAMBLE]
    for rel in HEADERS:
        out.append(f"\n/* ---- {rel} ---- */\n")
        out.extend(line + "\n" for line in entries(baseline / rel))
    return "".join(out)


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--check"):
        sys.exit(__doc__)
    text = generate(Path(argv[1]))
    if len(argv) == 2:
        sys.stdout.write(text)
        return 0
    committed = Path(argv[3]).read_text()
    if committed == text:
        print(f"{argv[3]}: lists every declaration of the baseline")
        return 0
    sys.stdout.writelines(difflib.unified_diff(committed.splitlines(True), text.splitlines(True),
                                               argv[3], "generated from " + argv[1]))
    print(f"{argv[3]} differs from what gen_abi_list.py makes of the baseline (see the diff above)")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
