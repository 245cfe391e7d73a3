"""Compares Kamailio's and siphost's /metrics pages after the same calls.

usage: compare_pages.py KAMAILIO_HTTP_PORT SIPHOST_HTTP_PORT CALLS
"""
import re
import sys
import urllib.request

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from prom_client import ParseError, parse  # noqa: E402  (the strict parser)

KAMAILIO_PORT, SIPHOST_PORT, CALLS = (int(a) for a in sys.argv[1:4])
SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( \d+)?$")


def page(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
        return reply.headers.get("Content-Type"), reply.read().decode()


def samples(text):
    """{name{labels}: value}, with Kamailio's ", " between labels read as ",", timestamps dropped."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise AssertionError(f"not a sample: {line!r}")
        name, labels, value, _ = m.groups()
        out[name + (labels or "").replace(", ", ",")] = float(value)
    return out


def main():
    k_type, k_text = page(KAMAILIO_PORT)
    s_type, s_text = page(SIPHOST_PORT)
    print("---- Kamailio\n" + k_text + "---- siphost\n" + s_text)
    if k_type != s_type:
        raise AssertionError(f"content types differ: {k_type!r} and {s_type!r}")
    parse(s_text)  # siphost's page is strictly valid
    k, s = samples(k_text), samples(s_text)
    # sl's statistics: Kamailio's names and values, every one.
    k_sl = {n for n in k if n.startswith("kamailio_sl_")}
    s_sl = {n for n in s if n.startswith("kamailio_sl_")}
    if k_sl != s_sl:
        raise AssertionError(f"sl names differ: only Kamailio {sorted(k_sl - s_sl)}, "
                             f"only siphost {sorted(s_sl - k_sl)}")
    print(f"ok: {len(s_sl)} sl statistics with the same names")
    for name in ("kamailio_sl_200_replies", "kamailio_sl_sent_replies"):
        if k[name] != s[name] or s[name] != 2 * CALLS:
            raise AssertionError(f"{name}: Kamailio {k[name]}, siphost {s[name]}, expected {2 * CALLS}")
    unequal = {n: (k[n], s[n]) for n in k_sl if k[n] != s[n]}
    if unequal:
        raise AssertionError(f"sl values differ (Kamailio, siphost): {unequal}")
    # The script's metrics: the same series with the same values.
    k_user = {n: v for n, v in k.items() if not n.startswith("kamailio_sl_")}
    s_user = {n: v for n, v in s.items() if not n.startswith("kamailio_sl_")}
    if k_user != s_user:
        raise AssertionError(f"user metrics differ:\n  Kamailio {k_user}\n  siphost  {s_user}")
    print(f"ok: {len(s_user)} user metric samples equal: {sorted(s_user)}")
    print("the pages agree")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, ParseError, OSError, KeyError) as e:
        print(f"FAILED: {e!r}")
        sys.exit(1)
