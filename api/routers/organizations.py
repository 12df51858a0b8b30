"""``/api/v1/organizations``: the member organizations (admins write, everyone reads)."""

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
from api.schemas.directory import OrganizationCreate, OrganizationRead
from governance_engine.persistence.models import OrganizationKind
from governance_engine.services import access, directory, directory_reads

router = APIRouter(
    prefix="/api/v1/organizations", tags=["organizations"], route_class=RetryingRoute
)


@router.post(
    "",
    status_code=201,
    operation_id="create_organization",
    response_model=OrganizationRead,
    responses={201: {"description": "Created"}, **responses(401, 403, 409, 422)},
)
def create_organization(
    body: OrganizationCreate,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """Add a member organization (admins). Names are unique."""

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        organization = directory.create_organization(
            session, actor=actor, at=clock.now(), name=body.name, kind=body.kind.value
        )
        if body.email_domains:
            access.set_email_domains(
                session,
                actor=actor,
                at=clock.now(),
                organization_id=organization.id,
                domains=body.email_domains,
            )
        read = OrganizationRead.of(organization)
        location = f"/api/v1/organizations/{organization.id}"
        return 201, read.model_dump(mode="json"), {"Location": location}

    return once.run(body, work)


@router.get(
    "",
    operation_id="list_organizations",
    response_model=Page[OrganizationRead],
    responses=responses(401, 422),
)
def list_organizations(
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    kind: Annotated[OrganizationKind | None, Query()] = None,
    active: Annotated[bool | None, Query(description="Only active (or inactive) ones")] = None,
) -> Page[OrganizationRead]:
    with database.reader() as session:
        found = directory_reads.list_organizations(
            session,
            after=int_after(page),
            limit=page.limit + 1,
            kind=kind.value if kind else None,
            active=active,
        )
    items = [OrganizationRead.of(organization) for organization in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    "/{organization_id}",
    operation_id="get_organization",
    response_model=OrganizationRead,
    responses=responses(401, 404, 422),
)
def get_organization(
    organization_id: int, database: DatabaseDep, actor: CurrentActor
) -> OrganizationRead:
    with database.reader() as session:
        return OrganizationRead.of(directory_reads.get_organization(session, organization_id))
