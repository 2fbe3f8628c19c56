"""The notes server of examples/src/bin/notes.rs in Python FastMCP, for comparison only
(the line counts of examples/README.md). Not run by the tests."""

import asyncio
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastmcp import Context, FastMCP
from fastmcp.exceptions import ToolError
from pydantic import BaseModel


class Note(BaseModel):
    """A note."""

    id: int
    title: str
    body: str
    tags: list[str] = []


class NoteList(BaseModel):
    """Notes found."""

    notes: list[Note]


@dataclass
class Store:
    """The notes, shared by every handler."""

    notes: dict[int, Note] = field(default_factory=dict)
    next_id: int = 1


@asynccontextmanager
async def lifespan(server):
    store = Store()
    print("notes: ready", file=sys.stderr)
    yield store


mcp = FastMCP("notes", lifespan=lifespan)


def store(ctx: Context) -> Store:
    return ctx.request_context.lifespan_context


@mcp.tool
def add_note(title: str, body: str, ctx: Context, tags: list[str] = []) -> Note:
    """Keep a note."""
    s = store(ctx)
    note = Note(id=s.next_id, title=title, body=body, tags=tags)
    s.notes[note.id] = note
    s.next_id += 1
    return note


@mcp.tool
def get_note(id: int, ctx: Context) -> Note:
    """One note, by id."""
    note = store(ctx).notes.get(id)
    if note is None:
        raise ToolError(f"no note {id}")
    return note


@mcp.tool
def search(ctx: Context, tag: str | None = None) -> NoteList:
    """The notes with a tag (all without one)."""
    notes = [n for n in store(ctx).notes.values() if tag is None or tag in n.tags]
    return NoteList(notes=notes)


@mcp.tool
async def export(ctx: Context) -> str:
    """Export every note as Markdown, reporting progress (cancellable)."""
    notes = list(store(ctx).notes.values())
    out = ""
    for i, note in enumerate(notes):
        await ctx.report_progress(i + 1, len(notes))
        out += f"# {note.title}\n\n{note.body}\n\n"
        await asyncio.sleep(0.01)
    return out


@mcp.resource("notes://count")
def count(ctx: Context) -> str:
    """How many notes there are."""
    return str(len(store(ctx).notes))


@mcp.resource("note://{id}")
def note(id: int, ctx: Context) -> str:
    """One note, as text."""
    n = store(ctx).notes.get(id)
    if n is None:
        raise ValueError(f"no note {id}")
    return f"{n.title}\n\n{n.body}"


@mcp.prompt
def summarize(style: str = "short") -> str:
    """Ask for a summary of the notes."""
    return f"Read the notes with the search tool and write a {style} summary."


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        host, port = sys.argv[2].rsplit(":", 1)
        mcp.run(transport="http", host=host, port=int(port))
    else:
        mcp.run()
