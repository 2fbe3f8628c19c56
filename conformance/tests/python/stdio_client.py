"""Drive `conformance-server` with the official MCP Python SDK (mcp==2.3.0), over stdio or
Streamable HTTP.

usage: stdio_client.py SERVER_BINARY_OR_URL MODE

A target starting with `http` is a Streamable HTTP URL; anything else is the server binary,
started with `--stdio`.

MODE is "legacy" (the initialize handshake, 2025-11-25), a modern protocol version such
as "2026-07-28" (adopted without a probe; stateless: every request carries its `_meta`,
input comes back through InputRequiredResult rounds), or "auto" (probe `server/discover`,
which this server answers, so 2026-07-28 is chosen). Each passing check prints `OK <name>`; the first failing
check raises, so the script exits non-zero with a traceback on stderr.
"""

from __future__ import annotations

import sys
import warnings

import anyio
import mcp_types as types
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPDeprecationWarning

# Logging, sampling and roots are deprecated at 2026-07-28 but still part of 2025-11-25.
warnings.simplefilter("ignore", MCPDeprecationWarning)


def ok(name: str) -> None:
    print(f"OK {name}", flush=True)


def text_of(result: types.CallToolResult) -> str:
    texts = [c.text for c in result.content if isinstance(c, types.TextContent)]
    assert texts, f"no text content in {result!r}"
    return "\n".join(texts)


class Recorder:
    """The client's callbacks, with what they saw."""

    def __init__(self) -> None:
        self.logs: list[types.LoggingMessageNotificationParams] = []
        self.progress: list[tuple[float, float | None, str | None]] = []
        self.elicitations: list[types.ElicitRequestParams] = []

    async def on_log(self, params: types.LoggingMessageNotificationParams) -> None:
        self.logs.append(params)

    async def on_progress(self, progress: float, total: float | None, message: str | None) -> None:
        self.progress.append((progress, total, message))

    async def on_elicit(self, _ctx: object, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.elicitations.append(params)
        return types.ElicitResult(action="accept", content={"username": "interop-user", "email": "interop@example.com"})


async def main(binary: str, mode: str) -> None:
    rec = Recorder()
    if binary.startswith("http"):
        params = binary
    else:
        params = StdioServerParameters(command=binary, args=["--stdio"])
    client = Client(
        params,
        mode=mode,
        logging_callback=rec.on_log,
        elicitation_callback=rec.on_elicit,
        # Modern connections get log messages only for requests that opt in with a level.
        log_level="debug" if mode != "legacy" else None,
        read_timeout_seconds=30,
    )
    async with client:
        expected = {"legacy": "2025-11-25", "auto": "2026-07-28"}.get(mode, mode)
        assert client.protocol_version == expected, client.protocol_version
        if mode != "2026-07-28":  # a pinned version skips discovery, so no serverInfo
            # conformance-proxy serves conformance-server's components under its own name.
            names = ("fastmcp-conformance-server", "conformance-proxy")
            assert client.server_info is not None and client.server_info.name in names
        ok("connect")

        tools = {t.name: t for t in (await client.list_tools()).tools}
        for name in ("test_simple_text", "test_tool_with_progress", "test_elicitation", "test_typed_arguments"):
            assert name in tools, f"{name} not listed: {sorted(tools)}"
        for t in tools.values():
            assert t.description, f"{t.name} has no description"
        ok("list_tools")

        r = await client.call_tool("test_simple_text", {})
        assert not r.is_error
        assert text_of(r) == "This is a simple text response for testing.", text_of(r)
        ok("call_simple_text")

        r = await client.call_tool(
            "test_typed_arguments", {"count": 3, "ratio": 0.5, "flag": True, "tags": ["a", "b"], "note": "hi"}
        )
        assert text_of(r) == "count=3 ratio=0.5 flag=true tags=a,b note=hi", text_of(r)
        ok("call_typed_arguments")

        assert tools["test_structured_output"].output_schema is not None
        r = await client.call_tool("test_structured_output", {"a": 20, "b": 22})
        assert r.structured_content == {"sum": 42, "operands": [20, 22]}, r.structured_content
        ok("call_structured_output")

        r = await client.call_tool("test_error_handling", {})
        assert r.is_error and text_of(r) == "This tool intentionally returns an error for testing"
        ok("call_error_handling")

        r = await client.read_resource("test://static-text")
        c = r.contents[0]
        assert isinstance(c, types.TextResourceContents), c
        assert c.text == "This is the content of the static text resource." and c.mime_type == "text/plain"
        ok("read_static_resource")

        r = await client.read_resource("test://template/123/data")
        c = r.contents[0]
        assert isinstance(c, types.TextResourceContents), c
        assert str(c.uri) == "test://template/123/data" and c.mime_type == "application/json"
        assert c.text == '{"id":"123","templateTest":true,"data":"Data for ID: 123"}', c.text
        ok("read_template_resource")

        r = await client.get_prompt("test_prompt_with_arguments", {"arg1": "hello", "arg2": "world"})
        content = r.messages[0].content
        assert isinstance(content, types.TextContent), content
        assert content.text == "Prompt with arguments: arg1='hello', arg2='world'", content.text
        ok("get_prompt_with_arguments")

        if mode == "legacy":
            await client.set_logging_level("debug")
        await client.call_tool("test_tool_with_progress", {}, progress_callback=rec.on_progress)
        assert [p[0] for p in rec.progress] == [0, 50, 100], rec.progress
        assert all(p[1] == 100 for p in rec.progress), rec.progress
        ok("progress_notifications")

        r = await client.call_tool("test_tool_with_logging", {})
        for _ in range(50):  # notifications may trail the result
            if len(rec.logs) >= 3:
                break
            await anyio.sleep(0.02)
        messages = [log.data for log in rec.logs]
        assert messages == ["Tool execution started", "Tool processing data", "Tool execution completed"], messages
        assert all(log.level == "info" for log in rec.logs)
        ok("log_notifications")

        r = await client.complete(types.PromptReference(name="test_prompt_with_arguments"), {"name": "arg1", "value": "par"})
        assert r.completion.values == ["paris", "park", "party"], r.completion.values
        ok("complete_prompt_argument")

        r = await client.call_tool("test_elicitation", {"message": "Who are you?"})
        assert len(rec.elicitations) == 1, rec.elicitations
        asked = rec.elicitations[0]
        assert asked.message == "Who are you?", asked
        assert sorted(asked.requested_schema["required"]) == ["email", "username"], asked.requested_schema
        reply = text_of(r)
        assert reply == 'User response: action=accept, content={"username":"interop-user","email":"interop@example.com"}', (
            reply
        )
        ok("elicitation")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    anyio.run(main, sys.argv[1], sys.argv[2])
