"""Admin use cases on the directory: organizations, people, bodies, seats and API tokens.

Seats are history: granting adds a term, ending closes it; neither rewrites an earlier term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotFound
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import (
    ApiToken,
    Body,
    Organization,
    OrganizationKind,
    Person,
    Seat,
    SeatRole,
)
from governance_engine.persistence.repositories import directory
from governance_engine.services import identity
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_admin

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BODY_KIND = re.compile(r"[a-z][a-z0-9_]*\Z")
_RESERVED_SLUGS = ("sponsor",)  # workflows use it for the proposal's sponsoring body


def _name(value: str, field: str) -> str:
    value = value.strip()
    if not value or len(value) > 200:
        raise InvalidInput(f"{field} must have 1 to 200 characters", field=field)
    return value


def _choice(value: str, allowed: type[OrganizationKind | SeatRole], field: str) -> str:
    values = [member.value for member in allowed]
    if value not in values:
        raise InvalidInput(
            f"{field} must be one of {', '.join(values)}, not {value!r}", field=field
        )
    return value


def create_organization(
    session: Session, *, actor: Actor, at: datetime, name: str, kind: str
) -> Organization:
    require_admin(actor, "create organizations")
    organization = Organization(
        name=_name(name, "name"),
        kind=_choice(kind, OrganizationKind, "kind"),
        active=True,
        created_at=at,
    )
    if directory.organization_by_name(session, organization.name) is not None:
        raise Conflict(f"an organization named {organization.name!r} already exists", field="name")
    session.add(organization)
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="organization.created",
        subject_type="organization",
        subject_id=organization.id,
        payload={"name": organization.name, "kind": organization.kind},
    )
    return organization


def create_body(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    slug: str,
    name: str,
    kind: str,
    description: str = "",
    parent: str | None = None,
) -> Body:
    """Add a body of any kind (``board``, ``toc``, ``working_group``, ``committee``,
    ``council``...; several of a kind), optionally under a ``parent`` body (by slug)."""
    require_admin(actor, "create bodies")
    if not _SLUG.match(slug) or len(slug) > 64:
        raise InvalidInput(
            f"slug {slug!r} must be lowercase letters and digits separated by single hyphens",
            field="slug",
        )
    if slug in _RESERVED_SLUGS:
        raise InvalidInput(
            f"slug {slug!r} is reserved: workflows use it for a proposal's sponsoring body",
            field="slug",
        )
    if not _BODY_KIND.match(kind) or len(kind) > 32:
        raise InvalidInput(
            f"kind {kind!r} must be 1 to 32 lowercase letters, digits and '_', starting with a "
            "letter (board, toc, working_group, committee, council...)",
            field="kind",
        )
    if directory.body_by_slug(session, slug) is not None:
        raise Conflict(f"a body with slug {slug!r} already exists", field="slug")
    parent_body = _parent(session, parent)
    body = Body(
        slug=slug,
        name=_name(name, "name"),
        kind=kind,
        description=description,
        created_at=at,
        parent_id=parent_body.id if parent_body is not None else None,
    )
    session.add(body)
    session.flush()
    payload: dict[str, object] = {"slug": slug, "name": body.name, "kind": kind}
    if parent_body is not None:
        payload["parent"] = parent_body.slug
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="body.created",
        subject_type="body",
        subject_id=body.id,
        body_id=body.id,
        payload=payload,
    )
    return body


def _parent(session: Session, slug: str | None) -> Body | None:
    if slug is None:
        return None
    parent = directory.body_by_slug(session, slug)
    if parent is None:
        raise InvalidInput(f"there is no body {slug!r} to be the parent", field="parent")
    return parent


def set_parent(
    session: Session, *, actor: Actor, at: datetime, body: Body, parent: str | None
) -> Body:
    """Set or clear where formal objections and appeals about ``body``'s decisions go.

    Refused when it would make a cycle (a body above itself), since objections go up the chain.
    """
    require_admin(actor, "change bodies")
    parent_body = _parent(session, parent)
    if parent_body is not None:
        bodies = {b.id: b for b in directory.all_bodies(session)}
        above: Body | None = parent_body
        while above is not None:
            if above.id == body.id:
                raise Conflict(
                    f"{parent_body.slug} cannot be the parent of {body.slug}: "
                    f"{body.slug} is already above it",
                    field="parent",
                )
            above = bodies.get(above.parent_id) if above.parent_id is not None else None
    new_id = parent_body.id if parent_body is not None else None
    if body.parent_id == new_id:
        return body
    body.parent_id = new_id
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="body.parent_set",
        subject_type="body",
        subject_id=body.id,
        body_id=body.id,
        payload={"parent": parent_body.slug if parent_body is not None else None},
    )
    return body


def grant_seat(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    body: Body,
    person: Person,
    role: str,
    voting: bool | None = None,
    term_start: datetime | None = None,
    term_end: datetime | None = None,
) -> Seat:
    """Seat ``person`` on ``body``. Observers never vote; other roles vote unless told not to."""
    require_admin(actor, "grant seats")
    role = _choice(role, SeatRole, "role")
    if voting is None:
        voting = role != SeatRole.OBSERVER
    if role == SeatRole.OBSERVER and voting:
        raise InvalidInput("an observer seat cannot be a voting seat", field="voting")
    start = term_start or at
    if term_end is not None and term_end <= start:
        raise InvalidInput("a term must end after it starts", field="term_end")
    for seat in directory.active_seats(session, at=start, person_id=person.id, body_id=body.id):
        raise Conflict(
            f"{person.name} already holds a {seat.role} seat on {body.slug}; end it first",
            seat_id=seat.id,
        )
    seat = Seat(
        body_id=body.id,
        person_id=person.id,
        role=role,
        voting=voting,
        term_start=start,
        term_end=term_end,
        created_at=at,
    )
    session.add(seat)
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="seat.granted",
        subject_type="seat",
        subject_id=seat.id,
        body_id=body.id,
        payload={
            "person_id": person.id,
            "body": body.slug,
            "role": role,
            "voting": voting,
            "term_start": start,
            "term_end": term_end,
        },
    )
    return seat


def end_seat(session: Session, *, actor: Actor, at: datetime, seat_id: int, reason: str) -> Seat:
    require_admin(actor, "end seats")
    seat = session.get(Seat, seat_id, with_for_update=True)
    if seat is None:
        raise NotFound(f"there is no seat {seat_id}")
    if seat.term_end is not None and seat.term_end <= at:
        raise Conflict(f"seat {seat_id} already ended")
    if seat.term_start >= at:
        # a term must end after it starts (the seats table checks it too)
        raise Conflict(
            f"seat {seat_id} has not begun (its term starts {seat.term_start.isoformat()}); "
            "it cannot end before it starts"
        )
    if not reason.strip():
        raise InvalidInput("ending a seat needs a reason", field="reason")
    seat.term_end = at
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="seat.ended",
        subject_type="seat",
        subject_id=seat.id,
        body_id=seat.body_id,
        payload={"person_id": seat.person_id, "term_end": seat.term_end, "reason": reason.strip()},
    )
    return seat


# -- people, seats by reference, and tokens: the API's entry points ---------------------------


def add_person(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    name: str,
    email: str,
    organization_id: int | None = None,
    is_admin: bool = False,
    is_auditor: bool = False,
) -> Person:
    """Enter a person in the directory; only admins do, and the organization must exist."""
    require_admin(actor, "add people")
    if organization_id is not None and session.get(Organization, organization_id) is None:
        raise NotFound(f"there is no organization {organization_id}", field="organization_id")
    return identity.create_person(
        session,
        actor=actor,
        at=at,
        name=name,
        email=email,
        organization_id=organization_id,
        is_admin=is_admin,
        is_auditor=is_auditor,
    )


def _body(session: Session, slug: str) -> Body:
    body = directory.body_by_slug(session, slug)
    if body is None:
        raise NotFound(f"there is no body {slug!r}")
    return body


def grant_seat_on(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    slug: str,
    person_id: int,
    role: str,
    voting: bool | None = None,
    term_start: datetime | None = None,
    term_end: datetime | None = None,
) -> Seat:
    """``grant_seat`` by body slug and person id (admins only, checked before any lookup)."""
    require_admin(actor, "grant seats")
    body = _body(session, slug)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"there is no person {person_id}", field="person_id")
    return grant_seat(
        session,
        actor=actor,
        at=at,
        body=body,
        person=person,
        role=role,
        voting=voting,
        term_start=term_start,
        term_end=term_end,
    )


def end_seat_on(
    session: Session, *, actor: Actor, at: datetime, slug: str, seat_id: int, reason: str
) -> Seat:
    """End a term of one body's seat now. A term that has not begun cannot end before it does."""
    require_admin(actor, "end seats")
    body = _body(session, slug)
    seat = directory.seat_by_id(session, seat_id, for_update=True)
    if seat is None or seat.body_id != body.id:
        raise NotFound(f"{slug} has no seat {seat_id}")
    return end_seat(session, actor=actor, at=at, seat_id=seat_id, reason=reason)


@dataclass(frozen=True)
class NewToken:
    """A token just issued: ``secret`` is the bearer token, shown once and never stored."""

    token: ApiToken
    secret: str


def issue_token_to(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    person_id: int,
    label: str = "",
    expires_at: datetime | None = None,
) -> NewToken:
    """Issue an API token to an active person (admins only)."""
    require_admin(actor, "issue API tokens")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"there is no person {person_id}", field="person_id")
    if not person.active:
        raise Conflict(f"{person.name} is not active; an inactive person gets no tokens")
    label = label.strip()
    if len(label) > 200:
        raise InvalidInput("a token label may have at most 200 characters", field="label")
    issued = identity.issue_token(
        session, actor=actor, at=at, person=person, label=label, expires_at=expires_at
    )
    token = directory.token_by_id(session, issued.token_id)
    assert token is not None  # just flushed in this unit of work
    return NewToken(token, issued.secret)


def revoke_token(
    session: Session, *, actor: Actor, at: datetime, token_id: int, reason: str = ""
) -> ApiToken:
    """Revoke a token for good. Its owner may always revoke it (an auditor too: withdrawing a
    credential is not a governance write); anyone else must be an admin."""
    token = directory.token_by_id(session, token_id, for_update=True)
    if token is None:
        raise NotFound(f"there is no token {token_id}")
    if actor.person_id is None or token.person_id != actor.person_id:
        require_admin(actor, "revoke other people's tokens")
    if token.revoked_at is not None:
        raise Conflict(f"token {token_id} was already revoked")
    token.revoked_at = at
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="token.revoked",
        subject_type="token",
        subject_id=token.id,
        payload={"person_id": token.person_id, "label": token.label, "reason": reason.strip()},
    )
    return token
