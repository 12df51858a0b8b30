"""Dependencies as ``Annotated`` aliases: the database, workflows, clock and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from governance_engine.clock import Clock
from governance_engine.errors import NotAuthenticated, PermissionDenied, StaleVersion
from governance_engine.persistence.database import Database
from governance_engine.services import identity
from governance_engine.services.identity import Actor
from governance_engine.services.workflows import WorkflowCatalog

_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer ge_...`")


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def get_catalog(request: Request) -> WorkflowCatalog:
    catalog: WorkflowCatalog = request.app.state.catalog
    return catalog


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


DatabaseDep = Annotated[Database, Depends(get_database)]
CatalogDep = Annotated[WorkflowCatalog, Depends(get_catalog)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def get_actor(
    database: DatabaseDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("send an API token: Authorization: Bearer <token>")
    with database.reader() as session:
        return identity.authenticate(session, token=credentials.credentials, at=clock.now())


CurrentActor = Annotated[Actor, Depends(get_actor)]


def get_auditor(actor: CurrentActor) -> Actor:
    if not (actor.is_auditor or actor.is_admin):
        raise PermissionDenied("only auditors and admins may read the decision log")
    return actor


CurrentAuditor = Annotated[Actor, Depends(get_auditor)]


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            description='The version you last read, from the ETag: `If-Match: "3"`. '
            "A stale value gets 412.",
        ),
    ] = None,
) -> int | None:
    """Parse ``If-Match: "7"`` (or ``W/"7"``, or ``*``) into the expected version."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise StaleVersion(f'If-Match must be a version ETag such as "3", not {if_match!r}')
    return int(value)


IfMatch = Annotated[int | None, Depends(expected_version)]


def etag(version: int) -> str:
    return f'"{version}"'
