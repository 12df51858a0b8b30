"""Cursor pagination: ``?limit=&cursor=``; the cursor is opaque to clients."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from governance_engine.errors import InvalidInput

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class PageRequest(BaseModel):
    limit: int
    after: int | str | None


def encode_cursor(position: int | str) -> str:
    return base64.urlsafe_b64encode(f"v1:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (ValueError, UnicodeError):
        raise InvalidInput("the cursor is not valid", field="cursor") from None
    if not text.startswith("v1:"):
        raise InvalidInput("the cursor is not valid", field="cursor")
    return text[3:]


def page_request(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="From `next_cursor`")] = None,
) -> PageRequest:
    after: int | str | None = None
    if cursor:
        raw = decode_cursor(cursor)
        after = int(raw) if raw.isdigit() else raw
    return PageRequest(limit=limit, after=after)


PageDep = Annotated[PageRequest, Depends(page_request)]


def int_after(page: PageRequest) -> int:
    if page.after is None:
        return 0
    if not isinstance(page.after, int):
        raise InvalidInput("the cursor is not valid", field="cursor")
    return page.after


def page_of(
    items: list[T], *, fetched: int, request: PageRequest, key: Callable[[T], int | str]
) -> Page[T]:
    """The page of ``items`` (the first ``request.limit`` of ``fetched`` rows, where
    ``request.limit + 1`` were asked for), with a cursor at the last item when there is more."""
    more = fetched > request.limit
    return Page(items=items, next_cursor=encode_cursor(key(items[-1])) if more else None)
