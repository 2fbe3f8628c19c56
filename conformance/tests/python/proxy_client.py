"""Drive a server with the official MCP Python SDK's client (mcp==2.3.0) over stdio, where
the server is our proxy in front of the Python SDK fixture server (peers/py_server.py):
every use, progress, logs, elicitation and sampling must pass through.

usage: proxy_client.py MODE COMMAND [ARGS...]

MODE is "legacy" (2025-11-25 handshake) or "2026-07-28" (stateless). Each passing check
prints `OK <name>`; the first failing check raises (non-zero exit, traceback on stderr).
"""

from __future__ import annotations

import sys
import warnings

import anyio
import mcp_types as types
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPDeprecationWarning

warnings.simplefilter("ignore", MCPDeprecationWarning)


def ok(name: str) -> None:
    print(f"OK {name}", flush=True)


def text_of(result: types.CallToolResult) -> str:
    texts = [c.text for c in result.content if isinstance(c, types.TextContent)]
    assert texts, f"no text content in {result!r}"
    return "\n".join(texts)


class Recorder:
    def __init__(self) -> None:
        self.logs: list[types.LoggingMessageNotificationParams] = []
        self.progress: list[tuple[float, float | None, str | None]] = []
        self.elicited: list[str] = []
        self.sampled: list[str] = []

    async def on_log(self, params: types.LoggingMessageNotificationParams) -> None:
        self.logs.append(params)

    async def on_progress(self, progress: float, total: float | None, message: str | None) -> None:
        self.progress.append((progress, total, message))

    async def on_elicit(self, _ctx: object, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.elicited.append(params.message)
        return types.ElicitResult(action="accept", content={"name": "Ada", "age": 36})

    async def on_sample(self, _ctx: object, params: types.CreateMessageRequestParams) -> types.CreateMessageResult:
        first = params.messages[0].content
        text = first.text if isinstance(first, types.TextContent) else "?"
        self.sampled.append(text)
        return types.CreateMessageResult(
            role="assistant", content=types.TextContent(type="text", text=f"echo: {text}"), model="py-model"
        )


async def main(mode: str, command: str, args: list[str]) -> None:
    rec = Recorder()
    client = Client(
        StdioServerParameters(command=command, args=args),
        mode=mode,
        logging_callback=rec.on_log,
        elicitation_callback=rec.on_elicit,
        sampling_callback=rec.on_sample,
        log_level="debug" if mode != "legacy" else None,
        read_timeout_seconds=30,
    )
    async with client:
        ok("connect")
        tools = {t.name for t in (await client.list_tools()).tools}
        assert {"add", "count_with_progress", "greet_person", "ask_llm"} <= tools, tools
        ok("list_tools")

        r = await client.call_tool("add", {"a": 2, "b": 3})
        assert text_of(r) == "5", text_of(r)
        ok("call")

        if mode == "legacy":
            await client.set_logging_level("debug")
        r = await client.call_tool("count_with_progress", {}, progress_callback=rec.on_progress)
        assert text_of(r) == "counted to 3", text_of(r)
        assert [p[0] for p in rec.progress] == [1, 2, 3], rec.progress
        ok("progress")
        for _ in range(50):
            if len(rec.logs) >= 3:
                break
            await anyio.sleep(0.02)
        assert [log.data for log in rec.logs] == ["step 1", "step 2", "step 3"], rec.logs
        ok("logs")

        r = await client.call_tool("greet_person", {})
        assert text_of(r) == "Hello Ada, age 36", text_of(r)
        assert rec.elicited == ["Who are you?"], rec.elicited
        ok("elicitation")

        r = await client.call_tool("ask_llm", {"question": "What is 2+2?"})
        assert text_of(r) == "model py-model said: echo: What is 2+2?", text_of(r)
        assert rec.sampled == ["What is 2+2?"], rec.sampled
        ok("sampling")

        r = await client.read_resource("greet://World")
        assert r.contents[0].text == "Hello, World!", r.contents
        ok("resources")

        r = await client.get_prompt("review", {"code": "fn main() {}"})
        assert r.messages[0].content.text == "Please review this code: fn main() {}", r.messages
        ok("prompts")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    anyio.run(main, sys.argv[1], sys.argv[2], sys.argv[3:])
