"""The public register's feeds and verification files, for anyone, with no sign-in.

    /public/decisions.atom                 Atom (RFC 4287) of the latest decisions (feedgen)
    /public/bodies/{slug}/decisions.atom   the same, of one body
    /public/calendar.ics                   iCalendar (RFC 5545) of ballot deadlines (icalendar)
    /public/checkpoint                     the latest signed checkpoint, and how to verify it
    /public/checkpoint.json                that checkpoint, as ``log verify-proof`` reads it
    /public/public-key.pem                 the key that signs checkpoints
    /public/decisions/{number}/proof.json  the decision's log entry, proven in that checkpoint

What is public is decided by ``services.public_register``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event
from starlette.responses import Response

from api.deps import CatalogDep, ClockDep, DatabaseDep
from api.pages._render import SECURITY_HEADERS, PageRoute, render
from governance_engine.log.checkpoint import key_id
from governance_engine.services import public_register
from governance_engine.services.public_register import BallotLine, DecisionLine
from governance_engine.signing import public_key_pem

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FEED_SIZE = 50
Number = Annotated[str, Path(max_length=32)]
Slug = Annotated[str, Path(max_length=64)]
NO_MEETINGS = (
    "Ballot deadlines only: governance-engine does not record meetings, so none are listed."
)


def _absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


def _atom(
    request: Request, lines: list[DecisionLine], *, path: str, title: str, at: datetime
) -> Response:
    feed = FeedGenerator()
    feed.id(_absolute(request, path))
    feed.title(title)
    feed.link(href=_absolute(request, path), rel="self")
    feed.link(href=_absolute(request, "/public/decisions"), rel="alternate")
    feed.author({"name": "governance-engine public register"})
    feed.updated(lines[0].decision.decided_at if lines else at)
    for line in reversed(lines):  # feedgen lists the entry added last first
        decision = line.decision
        permalink = _absolute(request, f"/public/decisions/{decision.number}")
        entry = feed.add_entry()
        entry.id(permalink)
        entry.link(href=permalink, rel="alternate")
        entry.title(f"{decision.number}: {line.proposal.title} ({decision.outcome})")
        entry.author({"name": line.body.name})
        entry.updated(decision.decided_at)
        entry.published(decision.decided_at)
        entry.summary(decision.summary or f"{line.body.name} decided: {decision.outcome}.")
    return Response(
        feed.atom_str(pretty=True),
        media_type="application/atom+xml",
        headers=SECURITY_HEADERS,
    )


@router.get("/public/decisions.atom")
def decisions_feed(
    request: Request, database: DatabaseDep, catalog: CatalogDep, clock: ClockDep
) -> Response:
    with database.reader() as session:
        lines = public_register.decisions(session, catalog, limit=FEED_SIZE)
    return _atom(
        request,
        lines,
        path="/public/decisions.atom",
        title="Decisions of the alliance",
        at=clock.now(),
    )


@router.get("/public/bodies/{slug}/decisions.atom")
def body_decisions_feed(
    slug: Slug, request: Request, database: DatabaseDep, catalog: CatalogDep, clock: ClockDep
) -> Response:
    with database.reader() as session:
        lines = public_register.decisions(session, catalog, limit=FEED_SIZE, body=slug)
        name = lines[0].body.name if lines else slug
    return _atom(
        request,
        lines,
        path=f"/public/bodies/{slug}/decisions.atom",
        title=f"Decisions of {name}",
        at=clock.now(),
    )


def _event(request: Request, line: BallotLine, at: datetime) -> Event:
    ballot = line.ballot
    event = Event()
    event.add("uid", f"ballot-{ballot.id}@{request.url.hostname or 'governance-engine'}")
    event.add("dtstamp", at)
    event.add("dtstart", ballot.deadline)
    event.add("dtend", ballot.deadline)
    event.add("summary", f"Ballot deadline: {line.body.name} on {line.proposal.title}")
    state = "open" if ballot.state == "open" else f"closed, {ballot.outcome or 'no outcome'}"
    event.add("description", f"Ballot {ballot.id} ({state}). {NO_MEETINGS}")
    if ballot.state == "closed":
        event.add("url", _absolute(request, f"/public/ballots/{ballot.id}"))
    return event


@router.get("/public/calendar.ics")
def calendar(
    request: Request, database: DatabaseDep, catalog: CatalogDep, clock: ClockDep
) -> Response:
    at = clock.now()
    with database.reader() as session:
        lines = public_register.deadlines(session, catalog)
    ical = Calendar()
    ical.add("prodid", "-//governance-engine//public register//EN")
    ical.add("version", "2.0")
    ical.add("x-wr-calname", "Ballot deadlines")
    ical.add("x-wr-caldesc", NO_MEETINGS)
    for line in lines:
        ical.add_component(_event(request, line, at))
    return Response(ical.to_ical(), media_type="text/calendar", headers=SECURITY_HEADERS)


@router.get("/public/checkpoint")
def checkpoint_page(request: Request, database: DatabaseDep) -> Response:
    with database.reader() as session:
        checkpoint = public_register.latest_checkpoint(session)
    key = request.app.state.signing_key.public_key()
    return render(
        request,
        "public/checkpoint.html",
        area="checkpoint",
        title="Verify the decision log",
        section="public",
        checkpoint=checkpoint,
        key_id=key_id(key),
    )


def _json_file(document: object, name: str) -> Response:
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n",
        media_type="application/json",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/public/checkpoint.json")
def checkpoint_file(database: DatabaseDep) -> Response:
    with database.reader() as session:
        checkpoint = public_register.latest_checkpoint(session)
    if checkpoint is None:
        return Response(
            "no checkpoint has been signed yet\n",
            status_code=404,
            media_type="text/plain",
            headers=SECURITY_HEADERS,
        )
    return _json_file(checkpoint.to_dict(), "checkpoint.json")


@router.get("/public/public-key.pem")
def public_key(request: Request) -> Response:
    return Response(
        public_key_pem(request.app.state.signing_key),
        media_type="application/x-pem-file",
        headers={**SECURITY_HEADERS, "Content-Disposition": 'attachment; filename="key.pem"'},
    )


@router.get("/public/decisions/{number}/proof.json")
def decision_proof(number: Number, database: DatabaseDep, catalog: CatalogDep) -> Response:
    with database.reader() as session:
        proof = public_register.decision_proof(session, catalog, number)
    return _json_file(proof.to_dict(), "proof.json")
