"""GET /metrics from siphost's xhttp_prom and read it with a strict parser of Prometheus' text format 0.0.4.

usage: prom_client.py PORT CALLS   (CALLS: the sipp calls made before; exit status 0 when every check holds)
"""
import json
import math
import re
import sys
import urllib.error
import urllib.request

PORT = int(sys.argv[1])
CALLS = int(sys.argv[2])
BASE = f"http://127.0.0.1:{PORT}"

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class ParseError(Exception):
    pass


def parse_value(text, line_no):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text):
        raise ParseError(f"line {line_no}: '{text}' is not a value")
    return float(text)


def unescape(text, allowed, line_no):
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            if i + 1 >= len(text) or text[i + 1] not in allowed:
                raise ParseError(f"line {line_no}: a bad escape in '{text}'")
            out.append({"\\": "\\", "n": "\n", '"': '"'}[text[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_labels(text, line_no):
    """text: what is between the braces. Returns a tuple of (name, value) pairs."""
    labels, i = [], 0
    while i < len(text):
        m = re.match(LABEL_NAME + r'="', text[i:])
        if not m:
            raise ParseError(f"line {line_no}: a bad label at '{text[i:]}'")
        name = m.group(0)[:-2]
        j = i + m.end()
        value = []
        while True:
            if j >= len(text):
                raise ParseError(f"line {line_no}: an unterminated label value")
            if text[j] == "\\":
                value.append(text[j:j + 2])
                j += 2
                continue
            if text[j] == '"':
                break
            if text[j] == "\n":
                raise ParseError(f"line {line_no}: a line feed in a label value")
            value.append(text[j])
            j += 1
        if any(n == name for n, _ in labels):
            raise ParseError(f"line {line_no}: label {name} twice")
        labels.append((name, unescape("".join(value), '\\n"', line_no)))
        i = j + 1
        if i < len(text):
            if text[i] != ",":
                raise ParseError(f"line {line_no}: ',' expected between labels")
            i += 1
    return tuple(labels)


def family_of(sample_name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample_name[: -len(suffix)]
        if sample_name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return sample_name


def parse(text):
    """Returns {family: {"type", "help", "samples": {(name, labels): value}}}; raises ParseError."""
    if not text.endswith("\n"):
        raise ParseError("the page does not end with a line feed")
    families, types, current, closed = {}, {}, None, set()
    for line_no, line in enumerate(text.split("\n")[:-1], 1):
        if line == "":
            continue
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (" + NAME + r") (.*)", line)
            if not m:
                continue  # a plain comment
            kind, name, rest = m.groups()
            fam = families.setdefault(name, {"type": "untyped", "help": None, "samples": {}})
            if name in closed or (fam["samples"]):
                raise ParseError(f"line {line_no}: {kind} for {name} after its samples")
            if kind == "HELP":
                if fam["help"] is not None:
                    raise ParseError(f"line {line_no}: a second HELP for {name}")
                fam["help"] = unescape(rest, "\\n", line_no)
            else:
                if name in types:
                    raise ParseError(f"line {line_no}: a second TYPE for {name}")
                if rest not in TYPES:
                    raise ParseError(f"line {line_no}: unknown type '{rest}'")
                types[name] = fam["type"] = rest
            if current is not None and current != name:
                closed.add(current)
            current = name
            continue
        m = re.fullmatch(r"(" + NAME + r")(\{(.*)\})? (\S+)( -?\d+)?", line)
        if not m:
            raise ParseError(f"line {line_no}: not a sample: '{line}'")
        name, _, label_text, value_text, _ = m.groups()
        labels = parse_labels(label_text or "", line_no)
        value = parse_value(value_text, line_no)
        fam_name = family_of(name, types)
        if fam_name in closed:
            raise ParseError(f"line {line_no}: {fam_name}'s samples are not together")
        if current is not None and current != fam_name:
            closed.add(current)
        current = fam_name
        fam = families.setdefault(fam_name, {"type": "untyped", "help": None, "samples": {}})
        key = (name, labels)
        if key in fam["samples"]:
            raise ParseError(f"line {line_no}: {name}{labels} twice")
        if fam["type"] == "histogram" and name == fam_name:
            raise ParseError(f"line {line_no}: a histogram's bare sample {name}")
        if fam["type"] == "counter" and (value < 0 or math.isnan(value)):
            raise ParseError(f"line {line_no}: a negative counter")
        fam["samples"][key] = value
    for fam_name, fam in families.items():
        if fam["type"] == "histogram":
            check_histogram(fam_name, fam)
    return families


def check_histogram(fam_name, fam):
    series = {}
    for (name, labels), value in fam["samples"].items():
        if name == fam_name + "_bucket":
            le = [v for n, v in labels if n == "le"]
            if len(le) != 1:
                raise ParseError(f"{name}{labels}: a bucket without le")
            rest = tuple((n, v) for n, v in labels if n != "le")
            series.setdefault(rest, {"buckets": []})["buckets"].append((parse_value(le[0], 0), value))
        else:
            series.setdefault(labels, {"buckets": []})[name[len(fam_name):]] = value
    for labels, s in series.items():
        buckets = sorted(s["buckets"])
        if not buckets or buckets[-1][0] != math.inf:
            raise ParseError(f"{fam_name}{labels}: no +Inf bucket")
        counts = [c for _, c in buckets]
        if counts != sorted(counts):
            raise ParseError(f"{fam_name}{labels}: buckets are not cumulative")
        if s.get("_count") != counts[-1] or "_sum" not in s:
            raise ParseError(f"{fam_name}{labels}: _count is not the +Inf bucket, or no _sum")


def get(path, headers=None):
    request = urllib.request.Request(BASE + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.headers.get("Content-Type"), reply.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def rpc(method, *params):
    body = json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params), "id": 1}).encode()
    request = urllib.request.Request(BASE + "/RPC", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return json.loads(reply.read().decode())
    except urllib.error.HTTPError as e:  # jsonrpcs answers a fault with an HTTP error status and its JSON
        return json.loads(e.read().decode())


def value(families, family, name=None, labels=()):
    fam = families.get(family)
    if fam is None:
        raise AssertionError(f"no family {family}")
    key = (name or family, tuple(labels))
    if key not in fam["samples"]:
        raise AssertionError(f"no sample {key} in {family}: {sorted(fam['samples'])}")
    return fam["samples"][key]


def expect(what, got, wanted):
    if got != wanted:
        raise AssertionError(f"{what}: {got!r}, expected {wanted!r}")
    print(f"ok: {what} = {got!r}")


def scrape(path="/metrics"):
    status, ctype, text = get(path)
    expect(f"status of {path}", status, 200)
    expect("content type", ctype, "text/plain; version=0.0.4")
    return text, parse(text)


def main():
    text, fams = scrape()
    print(text)
    # The statistics count sipp's calls, with Kamailio's names.
    expect("kamailio_sl_200_replies", value(fams, "kamailio_sl_200_replies"), CALLS)
    expect("kamailio_sl_sent_replies", value(fams, "kamailio_sl_sent_replies"), CALLS)
    expect("its type", fams["kamailio_sl_200_replies"]["type"], "counter")
    expect("kamailio_tm_created", value(fams, "kamailio_tm_created"), CALLS)
    expect("kamailio_tm_active's type", fams["kamailio_tm_active"]["type"], "gauge")
    for fam in ("kamailio_sl_1xx_replies", "kamailio_sl_received_ACKs", "kamailio_tm_completed_2xx"):
        if fam not in fams:
            raise AssertionError(f"no {fam}")
        if not fams[fam]["help"]:
            raise AssertionError(f"{fam} has no help")
    # The script's metrics, made by the route's prom_* calls.
    expect("INVITEs counted", value(fams, "kamailio_sip_requests", labels=[("method", "INVITE")]), CALLS)
    expect("BYEs counted", value(fams, "kamailio_sip_requests", labels=[("method", "BYE")]), CALLS)
    expect("call_setup count", value(fams, "kamailio_call_setup", "kamailio_call_setup_count"), CALLS)
    expect("call_setup le=0.1", value(fams, "kamailio_call_setup", "kamailio_call_setup_bucket",
                                      [("le", "0.100000")]), 0)
    expect("call_setup le=0.5", value(fams, "kamailio_call_setup", "kamailio_call_setup_bucket",
                                      [("le", "0.500000")]), CALLS)
    if "kamailio_bumps" in fams or "kamailio_temperature" in fams:
        raise AssertionError("metrics nobody used yet are listed")

    # The event route's prom_* calls change them; a label value that needs escaping comes back whole.
    who = 'a "quoted" \\ name'
    for _ in range(2):
        status, _, body = get("/bump", {"X-Who": who})
        expect("/bump", (status, body), (200, "bumped"))
    text, fams = scrape("/metrics?from=test")
    expect("bumps for the quoted name", value(fams, "kamailio_bumps", labels=[("who", who)]), 4)
    expect("temperature", value(fams, "kamailio_temperature"), -2.5)
    expect("call_setup count", value(fams, "kamailio_call_setup", "kamailio_call_setup_count"), CALLS + 2)
    expect("call_setup le=1", value(fams, "kamailio_call_setup", "kamailio_call_setup_bucket",
                                    [("le", "1.000000")]), CALLS + 2)
    expect("call_setup sum", round(value(fams, "kamailio_call_setup", "kamailio_call_setup_sum"), 6),
           round(0.3 * CALLS + 1.4, 6))
    if '\\"quoted\\" \\\\ name' not in text:
        raise AssertionError("the label value is not escaped as the format says")

    # prom_check_uri: another path is not the metrics.
    status, _, body = get("/other")
    expect("/other", (status, body), (404, "no metrics at /other"))
    status, _, body = get("/metricsfoo")
    expect("/metricsfoo", status, 404)

    # The RPCs.
    print(rpc("xhttp_prom.counter_inc", "by_rpc", 7, "x", "y"))
    print(rpc("xhttp_prom.gauge_set", "temperature", "21.5"))
    print(rpc("xhttp_prom.histogram_observe", "call_setup", "0.05"))
    bad = rpc("xhttp_prom.counter_inc", "by_rpc", 1, "only_one_label")
    if "error" not in bad:
        raise AssertionError(f"a wrong label count was accepted: {bad}")
    print("ok: wrong label count refused:", bad["error"])
    bad = rpc("xhttp_prom.counter_inc", "nothing", 1)
    if "error" not in bad:
        raise AssertionError(f"an undeclared counter was accepted: {bad}")
    listing = rpc("xhttp_prom.metric_list_print")
    if 'kamailio_by_rpc{a="x",b="y"} 7' not in json.dumps(listing).replace('\\"', '"'):
        raise AssertionError(f"metric_list_print lacks by_rpc: {listing}")
    text, fams = scrape()
    expect("by_rpc", value(fams, "kamailio_by_rpc", labels=[("a", "x"), ("b", "y")]), 7)
    expect("temperature after the RPC", value(fams, "kamailio_temperature"), 21.5)
    expect("call_setup le=0.1 after the RPC", value(fams, "kamailio_call_setup", "kamailio_call_setup_bucket",
                                                    [("le", "0.100000")]), 1)
    print(rpc("xhttp_prom.counter_reset", "by_rpc", "x", "y"))
    print(rpc("xhttp_prom.gauge_reset", "temperature"))
    text, fams = scrape()
    expect("by_rpc after reset", value(fams, "kamailio_by_rpc", labels=[("a", "x"), ("b", "y")]), 0)
    expect("temperature after reset", value(fams, "kamailio_temperature"), 0)

    # The parser itself refuses what the format forbids.
    for broken in ('m{a="x} 1\n', "m 1\nm 2\n", "# TYPE m counter\n# TYPE m gauge\n", 'm{a="\\q"} 1\n',
                   "m one\n", "a 1\nb 1\na 2\n", "m 1"):
        try:
            parse(broken)
        except ParseError as e:
            print(f"ok: refused {broken!r}: {e}")
            continue
        raise AssertionError(f"the parser accepted {broken!r}")
    print("all checks passed")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, ParseError, OSError) as e:
        print(f"FAILED: {e}")
        sys.exit(1)
