"""The public register, for anyone, with no sign-in: ``/public`` and the pages under it.

What is public is decided by ``services.public_register``; these routes only render it. The
feeds (Atom, iCalendar) and the files a reader verifies with are in ``public_feeds``.
"""

from __future__ import annotations

from collections.abc import Sized
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.deps import CatalogDep, ClockDep, DatabaseDep
from api.pages import _diagram
from api.pages._render import PageRoute, render
from api.pages._web import parse_int
from api.pages.decisions import _article
from governance_engine.lifecycle import to_mermaid
from governance_engine.services import ballots, public_register

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
OVERVIEW_SIZE = 10
Number = Annotated[str, Path(max_length=32)]
Cursor = Annotated[str, Query(max_length=20)]


def _next(path: str, rows: Sized, last_id: int) -> str | None:
    return f"{path}?before={last_id}" if len(rows) > PAGE_SIZE else None


@router.get("/public")
def overview(request: Request, database: DatabaseDep, catalog: CatalogDep) -> Response:
    with database.reader() as session:
        decisions = public_register.decisions(session, catalog, limit=OVERVIEW_SIZE)
        proposals = public_register.proposals(session, catalog, limit=OVERVIEW_SIZE)
        closed = public_register.closed_ballots(session, catalog, limit=OVERVIEW_SIZE)
        checkpoint = public_register.latest_checkpoint(session)
    return render(
        request,
        "public/overview.html",
        area="overview",
        title="Public register",
        section="public",
        decisions=decisions,
        proposals=proposals,
        ballots=closed,
        checkpoint=checkpoint,
        workflows=[machine.definition for machine in catalog.registry.all()],
    )


@router.get("/public/decisions")
def decision_list(
    request: Request, database: DatabaseDep, catalog: CatalogDep, before: Cursor = ""
) -> Response:
    with database.reader() as session:
        found = public_register.decisions(
            session, catalog, before=parse_int(before, "before"), limit=PAGE_SIZE + 1
        )
    items = found[:PAGE_SIZE]
    return render(
        request,
        "public/decisions.html",
        area="decisions",
        title="Decisions",
        section="public",
        decisions=items,
        next_page=_next("/public/decisions", found, items[-1].decision.id if items else 0),
    )


@router.get("/public/decisions/{number}")
def decision_permalink(
    number: Number, request: Request, database: DatabaseDep, catalog: CatalogDep
) -> Response:
    """The stable address of one decision: its record, and how to check it against the log."""
    with database.reader() as session:
        found = public_register.decision(session, catalog, number)
    return render(
        request,
        "public/decision.html",
        area="decisions",
        title=f"Decision {number}",
        section="public",
        found=found,
        decision=found.line.decision,
        record=_article(found.record_html),
    )


@router.get("/public/proposals")
def proposal_list(
    request: Request, database: DatabaseDep, catalog: CatalogDep, before: Cursor = ""
) -> Response:
    with database.reader() as session:
        found = public_register.proposals(
            session, catalog, before=parse_int(before, "before"), limit=PAGE_SIZE + 1
        )
    items = found[:PAGE_SIZE]
    return render(
        request,
        "public/proposals.html",
        area="proposals",
        title="Approved proposals",
        section="public",
        proposals=items,
        next_page=_next("/public/proposals", found, items[-1].proposal.id if items else 0),
    )


@router.get("/public/proposals/{proposal_id}")
def proposal_page(
    proposal_id: int, request: Request, database: DatabaseDep, catalog: CatalogDep
) -> Response:
    with database.reader() as session:
        found = public_register.proposal(session, catalog, proposal_id)
        definition = catalog.machine(
            session, found.proposal.workflow_name, found.proposal.workflow_version
        ).definition
    return render(
        request,
        "public/proposal.html",
        area="proposals",
        title=found.proposal.title,
        section="public",
        found=found,
        proposal=found.proposal,
        definition=definition,
    )


@router.get("/public/ballots")
def ballot_list(
    request: Request, database: DatabaseDep, catalog: CatalogDep, before: Cursor = ""
) -> Response:
    with database.reader() as session:
        found = public_register.closed_ballots(
            session, catalog, before=parse_int(before, "before"), limit=PAGE_SIZE + 1
        )
    items = found[:PAGE_SIZE]
    return render(
        request,
        "public/ballots.html",
        area="ballots",
        title="Closed ballots",
        section="public",
        ballots=items,
        next_page=_next("/public/ballots", found, items[-1].ballot.id if items else 0),
    )


@router.get("/public/ballots/{ballot_id}")
def ballot_page(
    ballot_id: int, request: Request, database: DatabaseDep, catalog: CatalogDep, clock: ClockDep
) -> Response:
    with database.reader() as session:
        found = public_register.ballot(session, catalog, ballot_id=ballot_id, at=clock.now())
    view = found.view
    return render(
        request,
        "public/ballot.html",
        area="ballots",
        title=f"Ballot {ballot_id} on {found.line.proposal.title}",
        section="public",
        found=found,
        line=found.line,
        ballot=view.ballot,
        view=view,
        rule=ballots.frozen_rule(view.ballot),
        votes={vote.voter_id: vote for vote in view.votes},
    )


@router.get("/public/workflows")
def workflows(request: Request, catalog: CatalogDep) -> Response:
    definitions = [machine.definition for machine in catalog.registry.all()]
    return render(
        request,
        "public/workflows.html",
        area="workflows",
        title="Workflows",
        section="public",
        workflows=[
            (definition, _diagram.svg(definition), to_mermaid(definition))
            for definition in definitions
        ],
    )
