"""The decision register and each decision's record (in the page, and standalone to print)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from markupsafe import Markup
from starlette.responses import HTMLResponse, Response

from api.deps import DatabaseDep
from api.pages._render import SECURITY_HEADERS, PageRoute, render
from api.pages._web import CurrentViewer, parse_int
from governance_engine.services import ballot_reads, dashboard, records

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
Number = Annotated[str, Path(max_length=32)]
# The standalone record carries its own <style>; it runs no script either.
RECORD_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@router.get("/decisions")
def register(
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    body: Annotated[str, Query(max_length=64)] = "",
    kind: Literal["ballot", "transition", ""] = "",
    outcome: Annotated[str, Query(max_length=32)] = "",
    after: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    order: Literal["newest", "oldest"] = "newest",
) -> Response:
    """The register, the latest first unless ``order=oldest``; ``q`` finds a decision by its
    number or by the proposals' search (titles, summaries, comments)."""
    with database.reader() as session:
        found = ballot_reads.list_decisions(
            session,
            after=parse_int(after, "after") or 0,
            limit=PAGE_SIZE + 1,
            body=body or None,
            kind=kind or None,
            outcome=outcome or None,
            text=q or None,
            newest_first=order == "newest",
        )
        titles = dashboard.titles(session, [item.decision.proposal_id for item in found])
        bodies = sorted(dashboard.bodies(session).values(), key=lambda b: b.name)
    items = found[:PAGE_SIZE]
    filters = {"body": body, "kind": kind, "outcome": outcome, "q": q, "order": order}
    next_page = None
    if len(found) > PAGE_SIZE:
        query = {key: value for key, value in filters.items() if value}
        next_page = "/decisions?" + urlencode({**query, "after": items[-1].decision.id})
    return render(
        request,
        "decisions.html",
        title="Decisions",
        section="decisions",
        items=items,
        titles=titles,
        bodies=bodies,
        body_names={b.slug: b.name for b in bodies},
        filters=filters,
        next_page=next_page,
    )


def _article(document: str) -> Markup:
    """The record's ``<article>``, from the autoescaped HTML the records service renders."""
    start, end = document.find("<article>"), document.rfind("</article>")
    if start < 0 or end < 0:
        raise ValueError("a decision record without its <article>")
    return Markup(document[start : end + len("</article>")])  # noqa: S704 - autoescaped upstream


@router.get("/decisions/{number}")
def decision_page(
    number: Number, request: Request, viewer: CurrentViewer, database: DatabaseDep
) -> Response:
    with database.reader() as session:
        summary = ballot_reads.get_decision(session, number)
        document = records.decision_record(session, number, "html")
    return render(
        request,
        "decision.html",
        title=f"Decision {number}",
        section="decisions",
        decision=summary.decision,
        record=_article(document),
    )


@router.get("/decisions/{number}/record")
def printable_record(number: Number, viewer: CurrentViewer, database: DatabaseDep) -> Response:
    """The record exactly as the records service renders it: a standalone page to print."""
    with database.reader() as session:
        document = records.decision_record(session, number, "html")
    return HTMLResponse(
        document, headers={**SECURITY_HEADERS, "Content-Security-Policy": RECORD_POLICY}
    )
