"""A server built with the official MCP Python SDK (mcp==2.3.0) that FastMCP's client drives
in conformance/tests/client_interop.rs.

usage: py_server.py            serve over stdio
       py_server.py --port N   serve Streamable HTTP on http://127.0.0.1:N/mcp

The SDK serves both protocol eras on either transport: the handshake era (`initialize`,
2025-11-25) and the stateless era (2026-07-28, every request carries its `_meta`). The
client's first request (stdio) or the `MCP-Protocol-Version` header (HTTP) decides.

Elicitation and sampling go through resolvers (`Resolve(...)` returning `Elicit`/`Sample`):
in the handshake era the SDK sends `elicitation/create` / `sampling/createMessage` to the
client mid-call; in the stateless era it answers `tools/call` with an `InputRequiredResult`
and resumes when the client retries with `inputResponses` and `requestState` (MRTR).
"""

from __future__ import annotations

import sys
import warnings
from typing import Annotated

from mcp_types import CreateMessageResult, SamplingMessage, TextContent
from pydantic import BaseModel

from mcp.server.mcpserver import Context, Elicit, MCPServer, Resolve, Sample
from mcp.shared.exceptions import MCPDeprecationWarning

# Logging and sampling are deprecated at 2026-07-28 but still served; keep stderr quiet.
warnings.simplefilter("ignore", MCPDeprecationWarning)

mcp = MCPServer("py-interop-peer", version="1.0.0", log_level="WARNING")


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.tool()
async def count_with_progress(ctx: Context) -> str:
    """Report progress three times and log a message at each step."""
    for step in (1, 2, 3):
        await ctx.info(f"step {step}")
        await ctx.report_progress(step, 3, f"step {step} of 3")
    return "counted to 3"


class Person(BaseModel):
    name: str
    age: int


def ask_person() -> Elicit[Person]:
    return Elicit("Who are you?", Person)


@mcp.tool()
def greet_person(person: Annotated[Person, Resolve(ask_person)]) -> str:
    """Ask the user (form elicitation) who they are, and greet them."""
    return f"Hello {person.name}, age {person.age}"


def ask_model(question: str) -> Sample:
    return Sample(
        [SamplingMessage(role="user", content=TextContent(type="text", text=question))],
        max_tokens=64,
    )


def text_of(result: CreateMessageResult) -> str:
    content = result.content
    return content.text if isinstance(content, TextContent) else repr(content)


@mcp.tool()
def ask_llm(question: str, answer: Annotated[CreateMessageResult, Resolve(ask_model)]) -> str:
    """Ask the client's model (sampling) a question and return its text."""
    return f"model {answer.model} said: {text_of(answer)}"


def ask_topic() -> Elicit[Person]:
    return Elicit("Who is the poem for?", Person)


def write_poem(person: Annotated[Person, Resolve(ask_topic)]) -> Sample:
    return Sample(
        [SamplingMessage(role="user", content=TextContent(type="text", text=f"a poem for {person.name}"))],
        max_tokens=64,
    )


@mcp.tool()
def poem(
    person: Annotated[Person, Resolve(ask_topic)],
    verse: Annotated[CreateMessageResult, Resolve(write_poem)],
) -> str:
    """Elicit, then sample with the answer: two input rounds in the stateless era."""
    return f"for {person.name}: {text_of(verse)}"


@mcp.resource("static://greeting", mime_type="text/plain")
def greeting() -> str:
    """A fixed greeting."""
    return "Hello from Python"


@mcp.resource("greet://{name}", mime_type="text/plain")
def greet(name: str) -> str:
    """A greeting for anyone."""
    return f"Hello, {name}!"


@mcp.prompt()
def review(code: str) -> str:
    """Ask for a code review."""
    return f"Please review this code: {code}"


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--port":
        mcp.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    elif len(sys.argv) == 1:
        mcp.run("stdio")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
