"""``/api/v1/decisions``: the register of formal results, and one record."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Response

from api.deps import CurrentActor, DatabaseDep
from api.links import link
from api.pagination import Page, PageDep, encode_cursor, int_after
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.decisions import DecisionRead
from governance_engine.services import ballot_reads, records
from governance_engine.services.records import RecordFormat

router = APIRouter(prefix="/api/v1/decisions", tags=["decisions"], route_class=RetryingRoute)

DECISION_LINKS = {
    "proposal": link("get_proposal", "The proposal decided on", proposal_id="proposal_id"),
    "ballot": link(
        "get_ballot", "The ballot it records (none for a transition)", ballot_id="ballot_id"
    ),
}


@router.get(
    "",
    operation_id="list_decisions",
    response_model=Page[DecisionRead],
    responses=responses(401, 422),
)
def list_decisions(
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    body: Annotated[str | None, Query(max_length=64, description="Deciding body's slug")] = None,
    proposal_id: Annotated[int | None, Query(ge=1)] = None,
    kind: Annotated[
        Literal["ballot", "transition", "objection"] | None,
        Query(description="A ballot, a final transition, or an objection's resolution"),
    ] = None,
    outcome: Annotated[
        str | None,
        Query(max_length=32, description="passed, failed, no_quorum, or a final state"),
    ] = None,
) -> Page[DecisionRead]:
    """The register, in the order decisions were recorded."""
    with database.reader() as session:
        found = ballot_reads.list_decisions(
            session,
            after=int_after(page),
            limit=page.limit + 1,
            body=body,
            proposal_id=proposal_id,
            kind=kind,
            outcome=outcome,
        )
        items = [DecisionRead.of(summary) for summary in found[: page.limit]]
    more = len(found) > page.limit
    cursor = encode_cursor(found[page.limit - 1].decision.id) if more else None
    return Page(items=items, next_cursor=cursor)


RECORD_MEDIA_TYPES: dict[str, RecordFormat] = {
    "text/markdown": "markdown",
    "text/html": "html",
}


def _record_format(accept: str | None) -> RecordFormat | None:
    """The record format the client prefers by ``Accept``, or None for JSON (the default)."""
    best: tuple[float, RecordFormat | None] = (0.0, None)
    for part in (accept or "").split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media == "application/json" and quality > best[0]:
            best = (quality, None)
        elif media in RECORD_MEDIA_TYPES and quality > best[0]:
            best = (quality, RECORD_MEDIA_TYPES[media])
    return best[1]


@router.get(
    "/{number}",
    operation_id="get_decision",
    response_model=DecisionRead,
    responses={
        200: {
            "description": "The decision: JSON, or the decision record as Markdown or HTML "
            "(choose with `Accept: text/markdown` or `Accept: text/html`)",
            "links": DECISION_LINKS,
            "content": {"text/markdown": {}, "text/html": {}},
        },
        **responses(401, 404, 422),
    },
)
def get_decision(
    number: Annotated[str, Path(max_length=100, examples=["TOC-2026-007"])],
    database: DatabaseDep,
    actor: CurrentActor,
    accept: Annotated[str | None, Header()] = None,
) -> DecisionRead | Response:
    """One decision: its number, body, outcome, the rule and the tally it was decided by."""
    record_format = _record_format(accept)
    with database.reader() as session:
        if record_format is None:
            return DecisionRead.of(ballot_reads.get_decision(session, number))
        text = records.decision_record(session, number, record_format)
    media_type = "text/html" if record_format == "html" else "text/markdown"
    return Response(text, media_type=f"{media_type}; charset=utf-8", headers={"Vary": "Accept"})
