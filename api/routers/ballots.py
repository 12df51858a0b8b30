"""``/api/v1/ballots``: open, list, read, vote, close, cancel, and amend the electorate.

What a reader sees of a ballot follows its secrecy (DESIGN §5): on a secret ballot nobody
but auditors sees how others voted, and the tally stays hidden until it closes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.deps import CatalogDep, ClockDep, CurrentActor, DatabaseDep, IfMatch, etag
from api.idempotency import RunOnce
from api.links import link
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.ballots import (
    BallotCancel,
    BallotClosedRead,
    BallotDetailRead,
    BallotOpen,
    BallotRead,
    ElectorateAmend,
    VoteCast,
    VoteRead,
    VoteRecorded,
)
from governance_engine.services import ballot_reads, ballot_views, ballots
from governance_engine.services.identity import Actor

router = APIRouter(prefix="/api/v1/ballots", tags=["ballots"], route_class=RetryingRoute)

BALLOT_LINKS = {
    "votes": link(
        "list_votes",
        "The positions cast, as far as secrecy lets the caller see them",
        ballot_id="id",
    ),
    "cast": link("cast_vote", "Cast or change the caller's position", ballot_id="id"),
    "close": link("close_ballot", "Close it once the rule allows", ballot_id="id"),
    "proposal": link("get_proposal", "The proposal voted on", proposal_id="proposal_id"),
}


def _detail(session: Session, actor: Actor, ballot_id: int, at: datetime) -> BallotDetailRead:
    return BallotDetailRead.of(
        ballot_reads.ballot_detail(session, viewer=actor, ballot_id=ballot_id, at=at)
    )


@router.post(
    "",
    status_code=201,
    operation_id="open_ballot",
    response_model=BallotDetailRead,
    responses={
        201: {"description": "Opened", "links": BALLOT_LINKS},
        **responses(401, 403, 404, 409, 412, 422),
    },
)
def open_ballot(
    body: BallotOpen,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """Open the ballot the proposal's stage calls for (chair, co-chair or secretary of the body).

    Freezes the electorate, the rule, the revision digest and the deadline.
    """

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        at = clock.now()
        ballot = ballots.open_ballot(
            session,
            actor=actor,
            at=at,
            catalog=catalog,
            proposal_id=body.proposal_id,
            deadline=body.deadline,
            expected_version=body.proposal_version,
        )
        read = _detail(session, actor, ballot.id, at)
        headers = {"Location": read.links.self, "ETag": etag(read.version)}
        return 201, read.model_dump(mode="json"), headers

    return once.run(body, work)


@router.get(
    "",
    operation_id="list_ballots",
    response_model=Page[BallotRead],
    responses=responses(401, 422),
)
def list_ballots(
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    proposal_id: Annotated[int | None, Query(ge=1)] = None,
    state: Annotated[
        Literal["open", "closed", "cancelled"] | None, Query(description="The ballot's state")
    ] = None,
    body: Annotated[str | None, Query(max_length=64, description="Voting body's slug")] = None,
) -> Page[BallotRead]:
    """Ballots in the order they were opened."""
    with database.reader() as session:
        found = ballot_reads.list_ballots(
            session,
            after=int_after(page),
            limit=page.limit + 1,
            proposal_id=proposal_id,
            state=state,
            body=body,
        )
        items = [BallotRead.of(summary) for summary in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    "/{ballot_id}",
    operation_id="get_ballot",
    response_model=BallotDetailRead,
    responses={
        200: {"description": "The ballot", "links": BALLOT_LINKS},
        **responses(401, 404, 422),
    },
)
def get_ballot(
    ballot_id: int, response: Response, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> BallotDetailRead:
    """The ballot with its rule in words, electorate, who voted, and the tally as far as the
    caller may see it (with what it still needs to pass), plus the caller's own position."""
    with database.reader() as session:
        read = _detail(session, actor, ballot_id, clock.now())
    response.headers["ETag"] = etag(read.version)
    return read


@router.post(
    "/{ballot_id}/votes",
    status_code=201,
    operation_id="cast_vote",
    response_model=VoteRecorded,
    responses={
        200: {"description": "Position changed", "model": VoteRecorded},
        201: {"description": "First position cast"},
        **responses(401, 403, 404, 409, 422),
    },
)
def cast_vote(
    ballot_id: int,
    body: VoteCast,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """Cast (201) or change (200) the caller's position, or, as the body's secretary, a member's
    (`on_behalf_of`: a proxy vote, recorded as entered by you). Changes are kept in the log."""

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        vote = ballots.cast_vote(
            session,
            actor=actor,
            at=clock.now(),
            ballot_id=ballot_id,
            choice=body.choice,
            rationale=body.rationale,
            on_behalf_of=body.on_behalf_of,
        )
        status = 201 if vote.changes == 0 else 200
        return status, VoteRecorded.of(vote).model_dump(mode="json"), {}

    return once.run(body, work)


@router.get(
    "/{ballot_id}/votes",
    operation_id="list_votes",
    response_model=list[VoteRead],
    responses=responses(401, 404, 422),
)
def list_votes(
    ballot_id: int, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> list[VoteRead]:
    """Who voted, by voter id (one per elector, so never longer than the electorate).

    On a secret ballot the choices are hidden, except the caller's own; auditors see all.
    """
    with database.reader() as session:
        view = ballot_views.view_ballot(session, viewer=actor, ballot_id=ballot_id, at=clock.now())
    return [VoteRead.of(vote) for vote in view.votes]


@router.post(
    "/{ballot_id}/close",
    operation_id="close_ballot",
    response_model=BallotClosedRead,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def close_ballot(
    ballot_id: int,
    response: Response,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
    expected: IfMatch,
) -> BallotClosedRead:
    """Close a ballot the rule lets close now (chair or co-chair): record the numbered decision
    and fire the workflow action the stage names for the outcome. 409 with what it still needs
    when it cannot close yet; send `If-Match` with the ballot's ETag to avoid closing on a tally
    you have not seen."""
    with database.transaction() as session:
        at = clock.now()
        closed = ballots.close_ballot(
            session,
            actor=actor,
            at=at,
            catalog=catalog,
            ballot_id=ballot_id,
            expected_version=expected,
        )
        detail = ballot_reads.ballot_detail(session, viewer=actor, ballot_id=ballot_id, at=at)
        read = BallotClosedRead.of(closed, detail)
    response.headers["ETag"] = etag(read.ballot.version)
    return read


@router.post(
    "/{ballot_id}/cancel",
    operation_id="cancel_ballot",
    response_model=BallotDetailRead,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def cancel_ballot(
    ballot_id: int,
    body: BallotCancel,
    response: Response,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    expected: IfMatch,
) -> BallotDetailRead:
    """Cancel an open ballot (chair or co-chair, with a reason): no outcome, no decision."""
    with database.transaction() as session:
        at = clock.now()
        ballots.cancel_ballot(
            session,
            actor=actor,
            at=at,
            ballot_id=ballot_id,
            reason=body.reason,
            expected_version=expected,
        )
        read = _detail(session, actor, ballot_id, at)
    response.headers["ETag"] = etag(read.version)
    return read


@router.post(
    "/{ballot_id}/electorate",
    operation_id="amend_electorate",
    response_model=BallotDetailRead,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def amend_electorate(
    ballot_id: int,
    body: ElectorateAmend,
    response: Response,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    expected: IfMatch,
) -> BallotDetailRead:
    """Add people whose voting seat began, or remove electors whose seat ended (chair or
    co-chair, with a reason). A removed elector's position stops counting."""
    with database.transaction() as session:
        at = clock.now()
        ballots.amend_electorate(
            session,
            actor=actor,
            at=at,
            ballot_id=ballot_id,
            reason=body.reason,
            add=body.add,
            remove=body.remove,
            expected_version=expected,
        )
        read = _detail(session, actor, ballot_id, at)
    response.headers["ETag"] = etag(read.version)
    return read
