"""Read models of the directory: organizations, people, bodies, seats and tokens.

Anyone signed in may read the directory; token listings are the exception (their own tokens
for everyone, all tokens for admins). Lists are keyset pages: ``after`` the last id seen,
``limit`` rows at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import NotAuthenticated, NotFound, PermissionDenied
from governance_engine.persistence.models import ApiToken, Body, Organization, Person, Seat
from governance_engine.persistence.repositories import directory
from governance_engine.services.identity import Actor


@dataclass(frozen=True)
class SeatView:
    """A seat with the body it is on and the person who holds it."""

    seat: Seat
    body: Body
    person: Person

    def active_at(self, at: datetime) -> bool:
        seat = self.seat
        return seat.term_start <= at and (seat.term_end is None or seat.term_end > at)


@dataclass(frozen=True)
class PersonProfile:
    """A person and the seats they hold now."""

    person: Person
    seats: tuple[SeatView, ...]


def list_organizations(
    session: Session,
    *,
    after: int,
    limit: int,
    kind: str | None = None,
    active: bool | None = None,
) -> list[Organization]:
    return directory.organizations_page(session, after=after, limit=limit, kind=kind, active=active)


def get_organization(session: Session, organization_id: int) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(f"there is no organization {organization_id}")
    return organization


def list_people(
    session: Session,
    *,
    at: datetime,
    after: int,
    limit: int,
    organization_id: int | None = None,
    body: str | None = None,
    q: str | None = None,
) -> list[Person]:
    """People by id; ``body`` keeps those seated on it at ``at``; ``q`` matches name or email."""
    seated_on = None
    if body is not None:
        found = directory.body_by_slug(session, body)
        if found is None:
            return []
        seated_on = (found.id, at)
    return directory.people_page(
        session,
        after=after,
        limit=limit,
        organization_id=organization_id,
        seated_on=seated_on,
        text=q.strip() if q else None,
    )


def get_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"there is no person {person_id}")
    return person


def profile(session: Session, *, actor: Actor, at: datetime) -> PersonProfile:
    """The caller and the seats they hold at ``at``."""
    if actor.person_id is None:
        raise NotAuthenticated("the system is not a person")
    person = get_person(session, actor.person_id)
    seats = directory.active_seats_with_bodies(session, person_id=person.id, at=at)
    return PersonProfile(person, tuple(SeatView(seat, body, person) for seat, body in seats))


def list_bodies(session: Session, *, after: int, limit: int, kind: str | None = None) -> list[Body]:
    return directory.bodies_page(session, after=after, limit=limit, kind=kind)


def body_slugs(session: Session) -> dict[int, str]:
    """Every body's slug by id (to name a body's parent)."""
    return {body.id: body.slug for body in directory.all_bodies(session)}


def get_body(session: Session, slug: str) -> Body:
    body = directory.body_by_slug(session, slug)
    if body is None:
        raise NotFound(f"there is no body {slug!r}")
    return body


def list_seats(
    session: Session,
    *,
    slug: str,
    at: datetime,
    after: int,
    limit: int,
    active_only: bool = True,
    role: str | None = None,
) -> list[SeatView]:
    """A body's seats by id: those held at ``at``, or its whole history with ``active_only``
    off (seats are history, so ended terms stay listed)."""
    body = get_body(session, slug)
    rows = directory.seats_page(
        session,
        body_id=body.id,
        after=after,
        limit=limit,
        active_at=at if active_only else None,
        role=role,
    )
    return [SeatView(seat, body, person) for seat, person in rows]


def seat_view(session: Session, seat: Seat) -> SeatView:
    """One seat with its body and holder (for the response to a grant or an end)."""
    body = session.get(Body, seat.body_id)
    person = session.get(Person, seat.person_id)
    if body is None or person is None:  # foreign keys make this impossible
        raise NotFound(f"seat {seat.id} has lost its body or person")
    return SeatView(seat, body, person)


def list_tokens(
    session: Session, *, viewer: Actor, after: int, limit: int, person_id: int | None = None
) -> list[ApiToken]:
    """Tokens by id, never their secret: admins see everyone's, others only their own."""
    if viewer.person_id is None:
        raise NotAuthenticated("the system has no tokens")
    if not viewer.is_admin:
        if person_id not in (None, viewer.person_id):
            raise PermissionDenied("only an admin may list other people's tokens")
        person_id = viewer.person_id
    return directory.tokens_page(session, after=after, limit=limit, person_id=person_id)
