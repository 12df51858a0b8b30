"""``/api/v1/bodies`` and their seats: bodies of any kind, each with an optional parent."""

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
from api.schemas.directory import (
    BODY_KIND_PATTERN,
    BodyCreate,
    BodyRead,
    BodyUpdate,
    SeatEnd,
    SeatGrant,
    SeatRead,
)
from governance_engine.persistence.models import SeatRole
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
    """Add a body of any kind (admins). Slugs are unique; several bodies may share a kind."""

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        created = directory.create_body(
            session,
            actor=actor,
            at=clock.now(),
            slug=body.slug,
            name=body.name,
            kind=body.kind,
            description=body.description,
            parent=body.parent,
        )
        read = BodyRead.of(created, directory_reads.body_slugs(session))
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
    kind: Annotated[str | None, Query(max_length=32, pattern=BODY_KIND_PATTERN)] = None,
) -> Page[BodyRead]:
    with database.reader() as session:
        found = directory_reads.list_bodies(
            session, after=int_after(page), limit=page.limit + 1, kind=kind
        )
        slugs = directory_reads.body_slugs(session)
    items = [BodyRead.of(found_body, slugs) for found_body in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    "/{slug}",
    operation_id="get_body",
    response_model=BodyRead,
    responses={200: {"description": "The body", "links": BODY_LINKS}, **responses(401, 404)},
)
def get_body(slug: str, database: DatabaseDep, actor: CurrentActor) -> BodyRead:
    with database.reader() as session:
        return BodyRead.of(
            directory_reads.get_body(session, slug), directory_reads.body_slugs(session)
        )


@router.patch(
    "/{slug}",
    operation_id="update_body",
    response_model=BodyRead,
    responses={
        200: {"description": "The body", "links": BODY_LINKS},
        **responses(401, 403, 404, 409, 422),
    },
)
def update_body(
    slug: str, update: BodyUpdate, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> BodyRead:
    """Set or clear a body's parent (admins): where formal objections to its decisions go."""
    with database.transaction() as session:
        body = directory_reads.get_body(session, slug)
        directory.set_parent(session, actor=actor, at=clock.now(), body=body, parent=update.parent)
        return BodyRead.of(body, directory_reads.body_slugs(session))


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
