#!/usr/bin/env python3
"""jsonrpc.py: what the stock config's WITH_JSONRPC serves on TCP 127.0.0.1:5060: a JSON-RPC POST to /RPC gets
core.version's result, an unknown method the JSON-RPC error, another URL the config's 403 page. Prints one line
per request: "status json-or-text"; every connection has a 5 s timeout."""
import http.client
import json


def post(url, body):
    conn = http.client.HTTPConnection("127.0.0.1", 5060, timeout=5)
    conn.request("POST", url, body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read().decode()
    conn.close()
    return resp.status, data


status, data = post("/RPC", json.dumps({"jsonrpc": "2.0", "method": "core.version", "id": 1}))
reply = json.loads(data)
print(status, "result" if "result" in reply and reply.get("id") == 1 else "no-result")
status, data = post("/RPC", json.dumps({"jsonrpc": "2.0", "method": "no.such_method", "id": 2}))
reply = json.loads(data)
print(status, "error" if "error" in reply and reply.get("id") == 2 else "no-error")
status, data = post("/other", "{}")
print(status, "text")
