"""``/api/v1/proposals``: file, list, read, revise, act, and read the history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.deps import CatalogDep, ClockDep, CurrentActor, DatabaseDep, IfMatch, etag
from api.idempotency import RunOnce
from api.links import link
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.log import LogEntryRead
from api.schemas.proposals import (
    ActionRead,
    ActionTake,
    ProposalCreate,
    ProposalRead,
    RevisionCreate,
    RevisionRead,
)
from governance_engine.services import proposals, reads

router = APIRouter(prefix="/api/v1/proposals", tags=["proposals"], route_class=RetryingRoute)

PROPOSAL_LINKS = {
    "actions": link(
        "list_actions", "The actions the caller may take on this proposal now", proposal_id="id"
    ),
    "ballots": link("list_ballots", "The ballots held on this proposal", proposal_id="id"),
    "revisions": link("list_revisions", "The proposal's revisions", proposal_id="id"),
    "history": link("proposal_history", "The proposal's decision-log entries", proposal_id="id"),
}


def _read(session: Session, proposal_id: int) -> ProposalRead:
    return ProposalRead.of(reads.proposal_summary(session, proposal_id))


@router.post(
    "",
    status_code=201,
    operation_id="file_proposal",
    response_model=ProposalRead,
    responses={
        201: {"description": "Filed", "links": PROPOSAL_LINKS},
        **responses(401, 403, 404, 409, 422),
    },
)
def file_proposal(
    body: ProposalCreate,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """File a proposal (chair of the sponsoring working group, or a member of it as author)."""

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        proposal = proposals.file_proposal(
            session,
            actor=actor,
            at=clock.now(),
            catalog=catalog,
            workflow=body.workflow,
            kind=body.kind,
            title=body.title,
            summary=body.summary,
            sponsor_slug=body.sponsor,
            text=body.text,
            author_ids=body.author_ids,
        )
        read = _read(session, proposal.id)
        headers = {"Location": read.links.self, "ETag": etag(read.version)}
        return 201, read.model_dump(mode="json"), headers

    return once.run(body, work)


@router.get(
    "",
    operation_id="list_proposals",
    response_model=Page[ProposalRead],
    responses=responses(401, 422),
)
def list_proposals(
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    state: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    sponsor: Annotated[str | None, Query(max_length=64, description="Working group slug")] = None,
    author_id: Annotated[int | None, Query(ge=1)] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Full-text search over titles, summaries and comments: every word must "
            "occur in one of them (on PostgreSQL, web-search syntax: quotes, `or`, `-word`)",
        ),
    ] = None,
) -> Page[ProposalRead]:
    """Proposals in the order they were filed, with optional filters and full-text search."""
    with database.reader() as session:
        found = reads.list_proposals(
            session,
            after=int_after(page),
            limit=page.limit + 1,
            state=state,
            kind=kind,
            sponsor=sponsor,
            author_id=author_id,
            text=q,
        )
        items = [ProposalRead.of(summary) for summary in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    "/{proposal_id}",
    operation_id="get_proposal",
    response_model=ProposalRead,
    responses={
        200: {"description": "The proposal", "links": PROPOSAL_LINKS},
        **responses(401, 404, 422),
    },
)
def get_proposal(
    proposal_id: int, response: Response, database: DatabaseDep, actor: CurrentActor
) -> ProposalRead:
    with database.reader() as session:
        read = _read(session, proposal_id)
    response.headers["ETag"] = etag(read.version)
    return read


@router.get(
    "/{proposal_id}/revisions",
    operation_id="list_revisions",
    response_model=list[RevisionRead],
    responses=responses(401, 404, 422),
)
def list_revisions(
    proposal_id: int, database: DatabaseDep, actor: CurrentActor
) -> list[RevisionRead]:
    with database.reader() as session:
        return [RevisionRead.of(revision) for revision in reads.revisions(session, proposal_id)]


@router.get(
    "/{proposal_id}/revisions/{number}",
    operation_id="get_revision",
    response_model=RevisionRead,
    responses=responses(401, 404, 422),
)
def get_revision(
    proposal_id: int, number: int, database: DatabaseDep, actor: CurrentActor
) -> RevisionRead:
    with database.reader() as session:
        return RevisionRead.of(reads.revision(session, proposal_id, number))


@router.post(
    "/{proposal_id}/revisions",
    status_code=201,
    operation_id="add_revision",
    response_model=RevisionRead,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def add_revision(
    proposal_id: int,
    body: RevisionCreate,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
    expected: IfMatch,
    once: RunOnce,
) -> JSONResponse:
    """Add the next revision (an author or the working group's chair)."""

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        revision = proposals.add_revision(
            session,
            actor=actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            text=body.text,
            note=body.note,
            expected_version=expected,
        )
        location = f"/api/v1/proposals/{proposal_id}/revisions/{revision.number}"
        return 201, RevisionRead.of(revision).model_dump(mode="json"), {"Location": location}

    return once.run(body, work)


@router.get(
    "/{proposal_id}/actions",
    operation_id="list_actions",
    response_model=list[ActionRead],
    responses=responses(401, 404, 422),
)
def list_actions(
    proposal_id: int,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
) -> list[ActionRead]:
    """The actions the caller's roles allow from the current state, and what blocks each."""
    with database.reader() as session:
        found = proposals.available_actions(
            session, actor=actor, at=clock.now(), catalog=catalog, proposal_id=proposal_id
        )
    return [ActionRead.of(action) for action in found]


@router.post(
    "/{proposal_id}/actions/{action}",
    operation_id="take_action",
    response_model=ProposalRead,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def take_action(
    proposal_id: int,
    action: str,
    response: Response,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
    expected: IfMatch,
    body: ActionTake | None = None,
) -> ProposalRead:
    """Take one workflow action. Send `If-Match` with the ETag you read to avoid lost updates."""
    with database.transaction() as session:
        proposals.take_action(
            session,
            actor=actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            action=action,
            expected_version=expected,
            reason=body.reason if body else "",
        )
        read = _read(session, proposal_id)
    response.headers["ETag"] = etag(read.version)
    return read


@router.get(
    "/{proposal_id}/history",
    operation_id="proposal_history",
    response_model=Page[LogEntryRead],
    responses=responses(401, 404, 422),
)
def proposal_history(
    proposal_id: int, database: DatabaseDep, actor: CurrentActor, page: PageDep
) -> Page[LogEntryRead]:
    """The proposal's decision-log entries, oldest first (secret votes redacted)."""
    with database.reader() as session:
        found = reads.history(
            session,
            viewer=actor,
            proposal_id=proposal_id,
            after=int_after(page),
            limit=page.limit + 1,
        )
    items = [LogEntryRead.of(view) for view in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.seq)
