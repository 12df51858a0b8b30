"""``/api/v1/bodies`` and their seats: the Board, the TOC and the working groups."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.deps import ClockDep, CurrentActor, DatabaseDep
from api.idempotency import RunOnce
from api.links import link
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.directory import BodyCreate, BodyRead, SeatEnd, SeatGrant, SeatRead
from governance_engine.persistence.models import BodyKind, SeatRole
from governance_engine.services import directory, directory_reads

router = APIRouter(prefix="/api/v1/bodies", tags=["bodies"], route_class=RetryingRoute)

BODY_LINKS = {
    "seats": link("list_seats", "The seats of this body", slug="slug"),
}


@router.post(
    "",
    status_code=201,
    operation_id="create_body",
    response_model=BodyRead,
    responses={
        201: {"description": "Created", "links": BODY_LINKS},
        **responses(401, 403, 409, 422),
    },
)
def create_body(
    body: BodyCreate,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """Add a body (admins). Slugs are unique; there is at most one board and one toc."""

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        created = directory.create_body(
            session,
            actor=actor,
            at=clock.now(),
            slug=body.slug,
            name=body.name,
            kind=body.kind.value,
            description=body.description,
        )
        read = BodyRead.of(created)
        return 201, read.model_dump(mode="json"), {"Location": read.links.self}

    return once.run(body, work)


@router.get(
    "",
    operation_id="list_bodies",
    response_model=Page[BodyRead],
    responses=responses(401, 422),
)
def list_bodies(
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    kind: Annotated[BodyKind | None, Query()] = None,
) -> Page[BodyRead]:
    with database.reader() as session:
        found = directory_reads.list_bodies(
            session, after=int_after(page), limit=page.limit + 1, kind=kind.value if kind else None
        )
    items = [BodyRead.of(found_body) for found_body in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    "/{slug}",
    operation_id="get_body",
    response_model=BodyRead,
    responses={200: {"description": "The body", "links": BODY_LINKS}, **responses(401, 404)},
)
def get_body(slug: str, database: DatabaseDep, actor: CurrentActor) -> BodyRead:
    with database.reader() as session:
        return BodyRead.of(directory_reads.get_body(session, slug))


@router.get(
    "/{slug}/seats",
    operation_id="list_seats",
    response_model=Page[SeatRead],
    responses=responses(401, 404, 422),
)
def list_seats(
    slug: str,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    page: PageDep,
    active_only: Annotated[
        bool, Query(description="Only terms running now; false lists the whole history")
    ] = True,
    role: Annotated[SeatRole | None, Query()] = None,
) -> Page[SeatRead]:
    at = clock.now()
    with database.reader() as session:
        found = directory_reads.list_seats(
            session,
            slug=slug,
            at=at,
            after=int_after(page),
            limit=page.limit + 1,
            active_only=active_only,
            role=role.value if role else None,
        )
    items = [SeatRead.of(view, at=at) for view in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.post(
    "/{slug}/seats",
    status_code=201,
    operation_id="grant_seat",
    response_model=SeatRead,
    responses={201: {"description": "Granted"}, **responses(401, 403, 404, 409, 422)},
)
def grant_seat(
    slug: str,
    body: SeatGrant,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """Seat a person on the body for a term (admins); one running seat per person and body."""
    at = clock.now()

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        seat = directory.grant_seat_on(
            session,
            actor=actor,
            at=at,
            slug=slug,
            person_id=body.person_id,
            role=body.role.value,
            voting=body.voting,
            term_start=body.term_start,
            term_end=body.term_end,
        )
        read = SeatRead.of(directory_reads.seat_view(session, seat), at=at)
        return 201, read.model_dump(mode="json"), {}

    return once.run(body, work)


@router.post(
    "/{slug}/seats/{seat_id}/end",
    operation_id="end_seat",
    response_model=SeatRead,
    responses=responses(401, 403, 404, 409, 422),
)
def end_seat(
    slug: str,
    seat_id: int,
    body: SeatEnd,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
) -> SeatRead:
    """End a running term now (admins). The seat stays in the history with its end date."""
    at = clock.now()
    with database.transaction() as session:
        seat = directory.end_seat_on(
            session, actor=actor, at=at, slug=slug, seat_id=seat_id, reason=body.reason
        )
        return SeatRead.of(directory_reads.seat_view(session, seat), at=at)
