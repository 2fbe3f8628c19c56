#!/usr/bin/env python3
"""Build fuzz/corpus/<target>/ seeds: the official 2026-07-28 example messages, plus a few
hand-written seeds for the targets that read templates, SSE, headers and MCPConfig.
Idempotent (file names are content hashes); existing corpus files are kept."""

import base64
import hashlib
import hmac
import json
import pathlib
import re

FUZZ = pathlib.Path(__file__).resolve().parent
EXAMPLES = FUZZ.parent / "fixtures" / "spec" / "2026-07-28-examples"


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = FUZZ / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def examples():
    """(folder name, parsed JSON) of every example."""
    for f in sorted(EXAMPLES.glob("*/*.json")):
        yield f.parent.name, json.loads(f.read_text())


def type_selectors():
    """The protocol_types target's type list (its selector is the index)."""
    src = (FUZZ / "fuzz_targets" / "protocol_types.rs").read_text()
    body = src[src.index("types!(sel, json;"):]
    return re.findall(r"p::(\w+)", body)


def seed_messages(all_examples):
    msgs = [v for _, v in all_examples if isinstance(v, dict) and "jsonrpc" in v]
    for m in msgs:
        put("jsonrpc_message", compact(m))
        put("jsonrpc_message", json.dumps(m, indent=2))
    put("jsonrpc_message", compact(msgs[:3]))
    for s in ['[]', '{"jsonrpc":"2.0","id":null,"method":"ping"}', '{"jsonrpc":"2.0","id":1.5,"result":{}}',
              '{"jsonrpc":"1.0","method":"x"}', '{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"m"}}']:
        put("jsonrpc_message", s)
    return msgs


def seed_types(all_examples):
    types = type_selectors()
    index = {t: i for i, t in enumerate(types)}
    for folder, v in all_examples:
        pieces = [(folder, v)]
        if isinstance(v, dict):
            if "params" in v:
                pieces.append((folder + "Params", v["params"]))
                pieces.append((folder.replace("Request", "RequestParams"), v["params"]))
            if "result" in v:
                pieces.append((folder.replace("ResultResponse", "Result"), v["result"]))
        for name, piece in pieces:
            if name in index:
                put("protocol_types", bytes([index[name]]) + compact(piece).encode())


def seed_lines(msgs):
    lines = [compact(m) for m in msgs[:12]]
    put("stdio_lines", b"\x80" + "\n".join(lines).encode() + b"\n")
    put("stdio_lines", b"\x10" + "\r\n".join(lines[:3]).encode() + b"\n\n  \n\xff\xfe\n")


def seed_sse(msgs):
    events = "".join(f"id: {i}\ndata: {compact(m)}\n\n" for i, m in enumerate(msgs[:6]))
    put("sse_parse", b"\xff" + events.encode())
    put("sse_parse", b"\x40\xef\xbb\xbf: keep-alive\nretry: 250\nevent: endpoint\r\ndata: /messages?s=1\r\r"
        b"data: a\ndata:b\n\nid\ndata\n\nid: x\x00y\nfield without colon\n\n")


def seed_templates():
    for t, uri in [("repo://{owner}/{path*}{?ref}", "repo://me/src/lib.rs?ref=main"),
                   ("users://{id}/profile", "users://42/profile"),
                   ("file:///{+path}", "file:///a/b/../c"),
                   ("x://{var:3}{?var,missing}{&q*}", "x://val?var=value&q=1"),
                   ("x://{#frag}{.ext}{/seg*}{;p}", "x://#a.b/c/d;p=1"),
                   ("weather://{city}/{date}", "weather://Paris%20FR/2026-07-28")]:
        put("uri_template", f"{t}\0{uri}\0value\0a/b\0%zz")


def seed_headers():
    schema = compact({"type": "object", "properties": {
        "region": {"type": "string", "x-mcp-header": "Region"},
        "n": {"type": ["integer", "null"], "x-mcp-header": "N"},
        "o": {"properties": {"deep": {"type": "boolean", "x-mcp-header": "Deep"}}}}})
    args = compact({"region": "us-west1", "n": 42, "o": {"deep": True}})
    put("mcp_param_headers", f"=?base64?SGVsbG8sIOS4lueVjA==?=\0 padded \0{schema}\0{args}")
    put("mcp_param_headers", f"us-west1\0Hello, 世界\0{schema}\0{compact({'region': 'x y', 'n': 1.5})}")
    put("mcp_param_headers", "=?base64?!!?=\0=?base64?x?=\0{\"items\":{\"x-mcp-header\":\"X\"}}\0null")


def seed_mrtr():
    payload = base64.urlsafe_b64encode(compact(
        {"binding": "tools/call:x", "answers": {"a": 1}, "exp": 4102444800}).encode()).rstrip(b"=")
    tag = base64.urlsafe_b64encode(hmac.new(b"not the fuzzer's key", payload, "sha256").digest()).rstrip(b"=")
    put("mrtr_state", payload + b"." + tag + b"tools/call:x")


def seed_config():
    put("mcp_config", compact({"mcpServers": {
        "calc": {"command": "calc-server", "args": ["--stdio"], "env": {"LOG": "1"}, "cwd": "/tmp"},
        "docs": {"url": "https://example.com/mcp", "headers": {"Authorization": "Bearer x"}, "transport": "http"},
        "legacy": {"url": "http://localhost:8000/sse", "auth": "oauth"},
        "tok": {"url": "ws://localhost/ws", "auth": {"type": "oauth", "scopes": ["a"]}}}}))
    put("mcp_config", '{"mcpServers":{}}')


def seed_http(msgs):
    for m in msgs[:20]:
        put("http_streamable", compact(m))


def main():
    all_examples = list(examples())
    msgs = seed_messages(all_examples)
    seed_types(all_examples)
    seed_lines(msgs)
    seed_sse(msgs)
    seed_templates()
    seed_headers()
    seed_mrtr()
    seed_config()
    seed_http(msgs)
    for d in sorted((FUZZ / "corpus").iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} seeds")


if __name__ == "__main__":
    main()
