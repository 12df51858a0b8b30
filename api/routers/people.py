"""``/api/v1/people``: who is in the directory, and who is calling (``/me``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.deps import ClockDep, CurrentActor, DatabaseDep
from api.idempotency import RunOnce
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.directory import PersonCreate, PersonMe, PersonRead
from governance_engine.services import directory, directory_reads

router = APIRouter(prefix="/api/v1/people", tags=["people"], route_class=RetryingRoute)


@router.post(
    "",
    status_code=201,
    operation_id="create_person",
    response_model=PersonRead,
    responses={201: {"description": "Created"}, **responses(401, 403, 404, 409, 422)},
)
def create_person(
    body: PersonCreate,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """Add a person (admins). Emails are unique; give them a token with `POST /tokens`."""

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        person = directory.add_person(
            session,
            actor=actor,
            at=clock.now(),
            name=body.name,
            email=body.email,
            organization_id=body.organization_id,
            is_admin=body.is_admin,
            is_auditor=body.is_auditor,
        )
        location = f"/api/v1/people/{person.id}"
        return 201, PersonRead.of(person).model_dump(mode="json"), {"Location": location}

    return once.run(body, work)


@router.get(
    "",
    operation_id="list_people",
    response_model=Page[PersonRead],
    responses=responses(401, 422),
)
def list_people(
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    page: PageDep,
    organization_id: Annotated[int | None, Query(ge=1)] = None,
    body: Annotated[
        str | None, Query(max_length=64, description="Only people seated on this body now")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Part of a name or email, any case")
    ] = None,
) -> Page[PersonRead]:
    with database.reader() as session:
        found = directory_reads.list_people(
            session,
            at=clock.now(),
            after=int_after(page),
            limit=page.limit + 1,
            organization_id=organization_id,
            body=body,
            q=q,
        )
    items = [PersonRead.of(person) for person in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    "/me",
    operation_id="get_me",
    response_model=PersonMe,
    responses=responses(401),
)
def get_me(database: DatabaseDep, clock: ClockDep, actor: CurrentActor) -> PersonMe:
    """The caller, with the seats they hold now."""
    with database.reader() as session:
        return PersonMe.of_profile(directory_reads.profile(session, actor=actor, at=clock.now()))


@router.get(
    "/{person_id}",
    operation_id="get_person",
    response_model=PersonRead,
    responses=responses(401, 404, 422),
)
def get_person(person_id: int, database: DatabaseDep, actor: CurrentActor) -> PersonRead:
    with database.reader() as session:
        return PersonRead.of(directory_reads.get_person(session, person_id))
