"""Admin use cases on the directory: organizations, bodies and seats.

Seats are history: granting adds a term, ending closes it; neither rewrites an earlier term.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotFound
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import (
    Body,
    BodyKind,
    Organization,
    OrganizationKind,
    Person,
    Seat,
    SeatRole,
)
from governance_engine.persistence.repositories import directory
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_admin

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _name(value: str, field: str) -> str:
    value = value.strip()
    if not value or len(value) > 200:
        raise InvalidInput(f"{field} must have 1 to 200 characters", field=field)
    return value


def _choice(value: str, allowed: type[OrganizationKind | BodyKind | SeatRole], field: str) -> str:
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
) -> Body:
    require_admin(actor, "create bodies")
    if not _SLUG.match(slug) or len(slug) > 64:
        raise InvalidInput(
            f"slug {slug!r} must be lowercase letters and digits separated by single hyphens",
            field="slug",
        )
    kind = _choice(kind, BodyKind, "kind")
    if directory.body_by_slug(session, slug) is not None:
        raise Conflict(f"a body with slug {slug!r} already exists", field="slug")
    if kind != BodyKind.WORKING_GROUP and directory.body_of_kind(session, kind) is not None:
        raise Conflict(f"there is already a {kind} body; there can be only one", field="kind")
    body = Body(
        slug=slug, name=_name(name, "name"), kind=kind, description=description, created_at=at
    )
    session.add(body)
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="body.created",
        subject_type="body",
        subject_id=body.id,
        body_id=body.id,
        payload={"slug": slug, "name": body.name, "kind": kind},
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
    if not reason.strip():
        raise InvalidInput("ending a seat needs a reason", field="reason")
    seat.term_end = max(at, seat.term_start)
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
