"""``/api/v1/proposals/{id}/concerns``: named concerns that block until their raiser lifts them.

Who may raise, address and resolve is decided in ``governance_engine.services.concerns``;
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
    ConcernAddress,
    ConcernCreate,
    ConcernRead,
    ConcernResolve,
    ConcernState,
)
from governance_engine.services import concerns

router = APIRouter(prefix="/api/v1/proposals", tags=["review"], route_class=RetryingRoute)

_CONCERN = "/{proposal_id}/concerns/{concern_id}"


@router.post(
    "/{proposal_id}/concerns",
    status_code=201,
    operation_id="raise_concern",
    response_model=ConcernRead,
    responses=responses(401, 403, 404, 409, 422),
)
def raise_concern(
    proposal_id: int,
    body: ConcernCreate,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """Raise a named concern on the current revision (a voting member of the reviewing body).

    The reviewing body is the one whose ballot the proposal's state holds, else the sponsoring
    working group. The concern blocks the actions the workflow guards with `no_open_concerns`
    until its raiser resolves it.
    """

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        concern = concerns.raise_concern(
            session,
            actor=actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            title=body.title,
            text=body.text,
        )
        read = ConcernRead.of(
            concerns.get_concern(session, proposal_id=proposal_id, concern_id=concern.id)
        )
        return 201, read.model_dump(mode="json"), {"Location": read.self}

    return once.run(body, work)


@router.get(
    "/{proposal_id}/concerns",
    operation_id="list_concerns",
    response_model=Page[ConcernRead],
    responses=responses(401, 404, 422),
)
def list_concerns(
    proposal_id: int,
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    state: Annotated[ConcernState | None, Query()] = None,
) -> Page[ConcernRead]:
    """The proposal's concerns, oldest first."""
    with database.reader() as session:
        found = concerns.list_concerns(
            session,
            proposal_id=proposal_id,
            after=int_after(page),
            limit=page.limit + 1,
            state=state,
        )
        items = [ConcernRead.of(view) for view in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    _CONCERN,
    operation_id="get_concern",
    response_model=ConcernRead,
    responses=responses(401, 404),
)
def get_concern(
    proposal_id: int, concern_id: int, database: DatabaseDep, actor: CurrentActor
) -> ConcernRead:
    with database.reader() as session:
        return ConcernRead.of(
            concerns.get_concern(session, proposal_id=proposal_id, concern_id=concern_id)
        )


@router.post(
    f"{_CONCERN}/address",
    operation_id="address_concern",
    response_model=ConcernRead,
    responses=responses(401, 403, 404, 409, 422),
)
def address_concern(
    proposal_id: int,
    concern_id: int,
    body: ConcernAddress,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
) -> ConcernRead:
    """Mark a concern addressed (chair or co-chair of its body).

    This asks its raiser to resolve it; it keeps blocking until they do.
    """
    with database.transaction() as session:
        concerns.address_concern(
            session,
            actor=actor,
            at=clock.now(),
            proposal_id=proposal_id,
            concern_id=concern_id,
            reason=body.reason,
        )
        return ConcernRead.of(
            concerns.get_concern(session, proposal_id=proposal_id, concern_id=concern_id)
        )


@router.post(
    f"{_CONCERN}/resolve",
    operation_id="resolve_concern",
    response_model=ConcernRead,
    responses=responses(401, 403, 404, 409, 422),
)
def resolve_concern(
    proposal_id: int,
    concern_id: int,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    body: ConcernResolve | None = None,
) -> ConcernRead:
    """Resolve a concern: only its raiser may, which lifts the block."""
    with database.transaction() as session:
        concerns.resolve_concern(
            session,
            actor=actor,
            at=clock.now(),
            proposal_id=proposal_id,
            concern_id=concern_id,
            note=body.note if body else "",
        )
        return ConcernRead.of(
            concerns.get_concern(session, proposal_id=proposal_id, concern_id=concern_id)
        )
