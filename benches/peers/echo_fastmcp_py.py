"""The echo server written with Python FastMCP (PyPI `fastmcp`), for comparison.

    python echo_fastmcp_py.py stdio [--tools N]
    python echo_fastmcp_py.py http --port N [--stateful] [--tools N]

Same tools as every server of the benchmark: echo(message) -> message, slow(ms) -> "slept",
work(ms) -> "worked" (sleeps half of ms, then computes for the other half), and with
--tools N the extra echo tools tool_0 .. tool_{N-1}. HTTP is Streamable HTTP at
/mcp on 127.0.0.1: stateless with JSON responses, or with --stateful sessions and SSE.
"""

import argparse
import asyncio
import time

from fastmcp import FastMCP

SLOW_REPLY = "slept"
WORK_REPLY = "worked"

mcp = FastMCP("echo")


@mcp.tool
async def echo(message: str) -> str:
    """Echo the message back."""
    return message


@mcp.tool
async def slow(ms: int) -> str:
    """Sleep `ms` milliseconds, then answer."""
    await asyncio.sleep(ms / 1000)
    return SLOW_REPLY


def compute_for(seconds: float) -> int:
    """Compute (a multiply-add chain) until `seconds` have passed."""
    end = time.perf_counter() + seconds
    acc = 0x9E3779B97F4A7C15
    i = 0
    while time.perf_counter() < end:
        for _ in range(8):
            acc = (acc * 6364136223846793005 + i) & 0xFFFFFFFFFFFFFFFF
            i += 1
    return acc


@mcp.tool
async def work(ms: int) -> str:
    """Sleep half of `ms` milliseconds, compute for the other half, then answer."""
    await asyncio.sleep(ms / 2000)
    compute_for(ms / 2000)
    return WORK_REPLY


def add_extra_tool(i: int) -> None:
    async def extra(message: str) -> str:
        return message

    mcp.tool(extra, name=f"tool_{i}", description="Echo the message back.")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("transport", choices=["stdio", "http"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--stateful", action="store_true")
    parser.add_argument("--tools", type=int, default=0)
    args = parser.parse_args()
    for i in range(args.tools):
        add_extra_tool(i)
    if args.transport == "stdio":
        mcp.run(transport="stdio", show_banner=False)
    else:
        if args.port is None:
            parser.error("http needs --port")
        mcp.run(
            transport="http",
            host="127.0.0.1",
            port=args.port,
            path="/mcp",
            stateless_http=not args.stateful,
            json_response=not args.stateful,
            log_level="warning",
            show_banner=False,
        )


if __name__ == "__main__":
    main()
