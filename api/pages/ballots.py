"""Ballots: the list, one ballot (rule, electorate, who voted, tally, what it still needs),
and the forms to vote, close and cancel.

What a ballot page shows of the votes and the tally comes from ``services.ballot_views``,
the same read model as the API, so secrecy is applied in one place.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import CatalogDep, ClockDep, DatabaseDep
from api.pages._render import PageRoute, render, see_other
from api.pages._web import CurrentViewer, PostedForm, flash, parse_int
from governance_engine.services import ballot_reads, ballots, dashboard, reads

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50


@router.get("/ballots")
def list_ballots(
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    state: Literal["open", "closed", "cancelled", ""] = "open",
    after: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    with database.reader() as session:
        found = ballot_reads.list_ballots(
            session,
            after=parse_int(after, "after") or 0,
            limit=PAGE_SIZE + 1,
            state=state or None,
        )
        titles = dashboard.titles(session, [item.ballot.proposal_id for item in found])
        body_names = {b.slug: b.name for b in dashboard.bodies(session).values()}
    items = found[:PAGE_SIZE]
    next_page = None
    if len(found) > PAGE_SIZE:
        next_page = "/ballots?" + urlencode({"state": state, "after": items[-1].ballot.id})
    return render(
        request,
        "ballots.html",
        title="Ballots",
        section="ballots",
        items=items,
        titles=titles,
        body_names=body_names,
        state=state,
        next_page=next_page,
    )


@router.get("/ballots/{ballot_id}")
def ballot_page(
    ballot_id: int,
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    clock: ClockDep,
) -> Response:
    at = clock.now()
    actor = viewer.actor
    with database.reader() as session:
        detail = ballot_reads.ballot_detail(session, viewer=actor, ballot_id=ballot_id, at=at)
        view = detail.view
        ballot = view.ballot
        proposal = reads.proposal_summary(session, ballot.proposal_id).proposal
        bodies = dashboard.bodies(session)
        body = bodies[ballot.body_id]
        held = dashboard.seat_roles(session, actor=actor, body_id=ballot.body_id, at=at)
        names = dashboard.names(
            session,
            [*view.electorate, *(v.entered_by_id for v in view.votes), ballot.opened_by_id],
        )
    rule = ballots.frozen_rule(ballot)
    is_open = ballot.state == "open" and at < ballot.deadline
    writer = not actor.is_auditor
    in_electorate = actor.person_id in view.electorate
    proxy = writer and "secretary" in held
    return render(
        request,
        "ballot.html",
        title=f"Ballot {ballot.id} on {proposal.title}",
        section="ballots",
        detail=detail,
        view=view,
        ballot=ballot,
        proposal=proposal,
        body=body,
        body_names={b.slug: b.name for b in bodies.values()},
        rule=rule,
        names=names,
        votes={vote.voter_id: vote for vote in view.votes},
        evaluation=view.evaluation,
        may_vote=is_open and writer and (in_electorate or proxy),
        in_electorate=in_electorate,
        proxy=proxy,
        may_close=ballot.state == "open" and writer and bool(held & {"chair", "co_chair"}),
        now=at,
    )


@router.post("/ballots/{ballot_id}/votes")
def cast_vote(
    ballot_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    with database.transaction() as session:
        vote = ballots.cast_vote(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            ballot_id=ballot_id,
            choice=form.get("choice"),
            rationale=form.get("rationale"),
            on_behalf_of=form.optional_int("on_behalf_of"),
        )
        changed = vote.changes > 0
        proxy = vote.voter_id != vote.entered_by_id
    response = see_other(f"/ballots/{ballot_id}")
    what = "changed" if changed else "recorded"
    flash(response, request, f"The {'proxy ' if proxy else ''}vote was {what}.")
    return response


@router.post("/ballots/{ballot_id}/close")
def close_ballot(
    ballot_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    with database.transaction() as session:
        closed = ballots.close_ballot(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            catalog=catalog,
            ballot_id=ballot_id,
            expected_version=posted.form.optional_int("version"),
        )
        outcome, number = closed.ballot.outcome, closed.decision.number
        message = f"Ballot {ballot_id} closed: {outcome}; decision {number}."
    response = see_other(f"/ballots/{ballot_id}")
    flash(response, request, message)
    return response


@router.post("/ballots/{ballot_id}/cancel")
def cancel_ballot(
    ballot_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    clock: ClockDep,
) -> Response:
    with database.transaction() as session:
        ballots.cancel_ballot(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            ballot_id=ballot_id,
            reason=posted.form.get("reason"),
        )
    response = see_other(f"/ballots/{ballot_id}")
    flash(response, request, f"Ballot {ballot_id} was cancelled.")
    return response
