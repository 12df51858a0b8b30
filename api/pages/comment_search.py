"""Comments across every proposal, found by their words: ``/comments?q=``."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import DatabaseDep
from api.pages._render import PageRoute, render
from api.pages._web import CurrentViewer, parse_int
from governance_engine.services import dashboard, search

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50


@router.get("/comments")
def comments(
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    q: Annotated[str, Query(max_length=200)] = "",
    order: Literal["newest", "oldest"] = "newest",
    after: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Comments matching ``q``, the latest first unless ``order=oldest``."""
    with database.reader() as session:
        found = search.search_comments(
            session,
            text=q,
            after=parse_int(after, "after") or 0,
            limit=PAGE_SIZE + 1,
            newest_first=order == "newest",
        )
        names = dashboard.names(session, [hit.comment.author_id for hit in found])
    hits = found[:PAGE_SIZE]
    next_page = None
    if len(found) > PAGE_SIZE:
        next_page = "/comments?" + urlencode({"q": q, "order": order, "after": hits[-1].comment.id})
    return render(
        request,
        "comments.html",
        title="Comments",
        section="comments",
        hits=hits,
        names=names,
        filters={"q": q, "order": order},
        next_page=next_page,
    )
