"""Call the `slow` tool of a Streamable HTTP server with the official MCP Python SDK
(mcp==2.3.0) and print its answer; http_shutdown.rs stops the server while the call runs.

usage: shutdown_client.py URL MODE   (MODE: "legacy" or "2026-07-28")

Prints `CALLING` before the call and `RESULT <text>` when the answer arrives; what happens
after (the server is gone) is not its concern.
"""

from __future__ import annotations

import os
import sys
import warnings

import anyio
import mcp_types as types
from mcp import Client
from mcp.shared.exceptions import MCPDeprecationWarning

warnings.simplefilter("ignore", MCPDeprecationWarning)


async def main(url: str, mode: str) -> None:
    client = Client(url, mode=mode, read_timeout_seconds=30)
    async with client:
        # The SDK lists tools after a call to check its output schema: listed now, that
        # does not need the server that is shutting down.
        await client.list_tools()
        print("CALLING", flush=True)
        r = await client.call_tool("slow", {})
        texts = [c.text for c in r.content if isinstance(c, types.TextContent)]
        print("RESULT " + "".join(texts), flush=True)
        # The server is shutting down: leave without the polite goodbye.
        os._exit(0)


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2])
