"""Signing in, for admins: link and unlink identities, invite people, end sessions, and set
an organization's e-mail domains. Every change is in the decision log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.access import AccessDep
from api.deps import ClockDep, CurrentActor, DatabaseDep
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.access import (
    EmailDomains,
    IdentityCreate,
    IdentityRead,
    InvitationRead,
    SessionsEnded,
)
from api.schemas.directory import OrganizationRead
from governance_engine.services import access

router = APIRouter(prefix="/api/v1", tags=["signing in"], route_class=RetryingRoute)


@router.post(
    "/people/{person_id}/identities",
    status_code=201,
    operation_id="link_identity",
    response_model=IdentityRead,
    responses={201: {"description": "Linked"}, **responses(401, 403, 404, 409, 422)},
)
def link_identity(
    person_id: int,
    body: IdentityCreate,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
) -> JSONResponse:
    """Link an identity at an OpenID provider (issuer + subject) to a person (admins)."""
    with database.transaction() as session:
        link = access.link_by_admin(
            session,
            actor=actor,
            at=clock.now(),
            person_id=person_id,
            issuer=body.issuer,
            subject=body.subject,
        )
        read = IdentityRead.of(link)
    return JSONResponse(read.model_dump(mode="json"), status_code=201)


@router.get(
    "/people/{person_id}/identities",
    operation_id="list_identities",
    response_model=list[IdentityRead],
    responses=responses(401, 404, 422),
)
def list_identities(
    person_id: int, database: DatabaseDep, actor: CurrentActor
) -> list[IdentityRead]:
    """A person's identity links, live and revoked (admins, auditors, and the person)."""
    with database.reader() as session:
        return [
            IdentityRead.of(link)
            for link in access.links_of(session, actor=actor, person_id=person_id)
        ]


@router.post(
    "/identities/{identity_id}/revoke",
    operation_id="revoke_identity",
    response_model=IdentityRead,
    responses=responses(401, 403, 404, 409, 422),
)
def revoke_identity(
    identity_id: int, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> IdentityRead:
    """Unlink an identity (admins): it signs nobody in any more, and its sessions end now."""
    with database.transaction() as session:
        link = access.revoke_link(session, actor=actor, at=clock.now(), link_id=identity_id)
        return IdentityRead.of(link)


@router.post(
    "/people/{person_id}/invitations",
    status_code=201,
    operation_id="invite_person",
    response_model=InvitationRead,
    responses={201: {"description": "Invited"}, **responses(401, 403, 404, 409, 422)},
)
def invite_person(
    person_id: int,
    request: Request,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    access_: AccessDep,
) -> JSONResponse:
    """Invite a person (admins): a one-time link, valid 7 days, mailed to them when e-mail is
    configured and returned here once, with which they link their provider's identity or
    sign in."""
    with database.transaction() as session:
        invited = access.invite(
            session,
            actor=actor,
            at=clock.now(),
            person_id=person_id,
            base_url=access_.base_url(request),
        )
    error = (
        access_.mailer.send(invited.mail)
        if access_.mailer is not None
        else "e-mail is not configured (GOVERNANCE_SMTP_HOST): pass the link on yourself"
    )
    read = InvitationRead(
        id=invited.invitation.id,
        person_id=person_id,
        expires_at=invited.invitation.expires_at,
        url=invited.url,
        emailed=error is None,
        email_error=error,
    )
    return JSONResponse(read.model_dump(mode="json"), status_code=201)


@router.delete(
    "/people/{person_id}/sessions",
    operation_id="end_sessions",
    response_model=SessionsEnded,
    responses=responses(401, 403, 404, 422),
)
def end_sessions(
    person_id: int, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> SessionsEnded:
    """Sign a person out of every browser now (admins). Their API tokens stay valid."""
    with database.transaction() as session:
        ended = access.end_sessions_of(session, actor=actor, at=clock.now(), person_id=person_id)
    return SessionsEnded(person_id=person_id, sessions_ended=ended)


@router.put(
    "/organizations/{organization_id}/email-domains",
    operation_id="set_email_domains",
    response_model=OrganizationRead,
    responses=responses(401, 403, 404, 409, 422),
)
def set_email_domains(
    organization_id: int,
    body: EmailDomains,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
) -> OrganizationRead:
    """Replace the e-mail domains an organization claims (admins)."""
    with database.transaction() as session:
        organization = access.set_email_domains(
            session,
            actor=actor,
            at=clock.now(),
            organization_id=organization_id,
            domains=body.email_domains,
        )
        return OrganizationRead.of(organization)
