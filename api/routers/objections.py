"""``/api/v1/proposals/{id}/objections``: formal objections to decisions, decided above.

Who may lodge, withdraw and decide is decided in ``governance_engine.services.objections``;
anyone signed in may read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.deps import CatalogDep, ClockDep, CurrentActor, DatabaseDep
from api.idempotency import RunOnce
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.review import (
    ObjectionCreate,
    ObjectionRead,
    ObjectionResolve,
    ObjectionState,
    ObjectionWithdraw,
)
from governance_engine.services import objections

router = APIRouter(prefix="/api/v1/proposals", tags=["review"], route_class=RetryingRoute)

_OBJECTION = "/{proposal_id}/objections/{objection_id}"


@router.post(
    "/{proposal_id}/objections",
    status_code=201,
    operation_id="lodge_objection",
    response_model=ObjectionRead,
    responses=responses(401, 403, 404, 409, 422),
)
def lodge_objection(
    proposal_id: int,
    body: ObjectionCreate,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """Lodge a formal objection to one of the proposal's decisions (anyone with a seat).

    Only within the workflow's `objection_window` after the decision. The body above the one
    that decided (WG -> TOC -> Board; the Board for its own) decides it; while it is open it
    holds the proposal's ratification.
    """

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        objection = objections.lodge_objection(
            session,
            actor=actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            decision=body.decision,
            grounds=body.grounds,
        )
        read = ObjectionRead.of(
            objections.get_objection(session, proposal_id=proposal_id, objection_id=objection.id)
        )
        return 201, read.model_dump(mode="json"), {"Location": read.self}

    return once.run(body, work)


@router.get(
    "/{proposal_id}/objections",
    operation_id="list_objections",
    response_model=Page[ObjectionRead],
    responses=responses(401, 404, 422),
)
def list_objections(
    proposal_id: int,
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    state: Annotated[ObjectionState | None, Query()] = None,
) -> Page[ObjectionRead]:
    """The proposal's formal objections, oldest first."""
    with database.reader() as session:
        found = objections.list_objections(
            session,
            proposal_id=proposal_id,
            after=int_after(page),
            limit=page.limit + 1,
            state=state,
        )
        items = [ObjectionRead.of(view) for view in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    _OBJECTION,
    operation_id="get_objection",
    response_model=ObjectionRead,
    responses=responses(401, 404),
)
def get_objection(
    proposal_id: int, objection_id: int, database: DatabaseDep, actor: CurrentActor
) -> ObjectionRead:
    with database.reader() as session:
        return ObjectionRead.of(
            objections.get_objection(session, proposal_id=proposal_id, objection_id=objection_id)
        )


@router.post(
    f"{_OBJECTION}/withdraw",
    operation_id="withdraw_objection",
    response_model=ObjectionRead,
    responses=responses(401, 403, 404, 409, 422),
)
def withdraw_objection(
    proposal_id: int,
    objection_id: int,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    body: ObjectionWithdraw | None = None,
) -> ObjectionRead:
    """Withdraw an open objection (the person who lodged it)."""
    with database.transaction() as session:
        objections.withdraw_objection(
            session,
            actor=actor,
            at=clock.now(),
            proposal_id=proposal_id,
            objection_id=objection_id,
            reason=body.reason if body else "",
        )
        return ObjectionRead.of(
            objections.get_objection(session, proposal_id=proposal_id, objection_id=objection_id)
        )


@router.post(
    f"{_OBJECTION}/resolve",
    operation_id="resolve_objection",
    response_model=ObjectionRead,
    responses=responses(401, 403, 404, 409, 422),
)
def resolve_objection(
    proposal_id: int,
    objection_id: int,
    body: ObjectionResolve,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
) -> ObjectionRead:
    """Decide an open objection: upheld or dismissed, with reasons.

    The chair or co-chair of the deciding body decides; the resolution is recorded in the
    register as a decision of kind `objection`.
    """
    with database.transaction() as session:
        objections.resolve_objection(
            session,
            actor=actor,
            at=clock.now(),
            proposal_id=proposal_id,
            objection_id=objection_id,
            outcome=body.outcome,
            reasons=body.reasons,
        )
        return ObjectionRead.of(
            objections.get_objection(session, proposal_id=proposal_id, objection_id=objection_id)
        )
