"""A small FastAPI application: the third-party HTTP API the OpenAPI provider's tests turn
into MCP tools. Run: python fastapi_app.py PORT (serves on 127.0.0.1:PORT)."""

import sys
from typing import Annotated, Optional

import uvicorn
from fastapi import Cookie, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel

app = FastAPI(title="Inventory", version="1.0.0")


class Dimensions(BaseModel):
    width: float
    height: float


class NewItem(BaseModel):
    name: str
    price: float
    tags: list[str] = []
    dimensions: Optional[Dimensions] = None


class Item(NewItem):
    id: int


ITEMS: dict[int, Item] = {1: Item(id=1, name="lamp", price=12.5, tags=["home"])}


@app.get("/items", operation_id="list_items", tags=["items"], summary="List the items")
def list_items(
    tag: Annotated[list[str], Query()] = [],
    limit: int = 10,
) -> list[Item]:
    found = [i for i in ITEMS.values() if not tag or set(tag) & set(i.tags)]
    return found[:limit]


@app.get("/items/{item_id}", operation_id="get_item", tags=["items"], summary="One item")
def get_item(item_id: int, x_request_id: Annotated[Optional[str], Header()] = None) -> dict:
    if item_id not in ITEMS:
        raise HTTPException(status_code=404, detail=f"no item {item_id}")
    return {"item": ITEMS[item_id].model_dump(), "request_id": x_request_id}


@app.post("/items", operation_id="create_item", tags=["items"], summary="Add an item")
def create_item(item: NewItem, dry_run: bool = False) -> Item:
    new = Item(id=max(ITEMS) + 1, **item.model_dump())
    if not dry_run:
        ITEMS[new.id] = new
    return new


@app.get("/whoami", operation_id="whoami", summary="Who is calling")
def whoami(
    session: Annotated[Optional[str], Cookie()] = None,
    x_api_key: Annotated[Optional[str], Header()] = None,
) -> dict:
    return {"session": session, "api_key": x_api_key}


@app.get("/health", operation_id="health", tags=["ops"])
def health() -> dict:
    return {"status": "ok"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
