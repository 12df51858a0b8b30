"""Queries over organizations, people, bodies, seats and tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import ApiToken, Body, Organization, Person, Seat


def person_by_email(session: Session, email: str) -> Person | None:
    return session.scalars(select(Person).where(Person.email == email)).one_or_none()


def token_and_person(session: Session, token_hash: str) -> tuple[ApiToken, Person] | None:
    """The token with this hash and its person, in one query (every request authenticates)."""
    statement = (
        select(ApiToken, Person)
        .join(Person, Person.id == ApiToken.person_id)
        .where(ApiToken.token_hash == token_hash)
    )
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1])


def token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).one_or_none()


def body_by_slug(session: Session, slug: str) -> Body | None:
    return session.scalars(select(Body).where(Body.slug == slug)).one_or_none()


def active_seats(
    session: Session, *, at: datetime, person_id: int | None = None, body_id: int | None = None
) -> list[Seat]:
    """Seats whose term covers ``at`` (started, not yet ended)."""
    statement = select(Seat).where(
        Seat.term_start <= at, or_(Seat.term_end.is_(None), Seat.term_end > at)
    )
    if person_id is not None:
        statement = statement.where(Seat.person_id == person_id)
    if body_id is not None:
        statement = statement.where(Seat.body_id == body_id)
    return list(session.scalars(statement.order_by(Seat.id)))


def organization_by_name(session: Session, name: str) -> Organization | None:
    return session.scalars(select(Organization).where(Organization.name == name)).one_or_none()


def body_of_kind(session: Session, kind: str) -> Body | None:
    """The TOC or the Board (there is at most one of each)."""
    return session.scalars(select(Body).where(Body.kind == kind)).first()


def active_seats_with_bodies(
    session: Session, *, person_id: int, at: datetime
) -> list[tuple[Seat, Body]]:
    statement = (
        select(Seat, Body)
        .join(Body, Body.id == Seat.body_id)
        .where(
            Seat.person_id == person_id,
            Seat.term_start <= at,
            or_(Seat.term_end.is_(None), Seat.term_end > at),
        )
        .order_by(Seat.id)
    )
    return [(seat, body) for seat, body in session.execute(statement)]


def all_bodies(session: Session) -> list[Body]:
    return list(session.scalars(select(Body).order_by(Body.id)))


def _active_at(at: datetime) -> ColumnElement[bool]:
    return and_(Seat.term_start <= at, or_(Seat.term_end.is_(None), Seat.term_end > at))


def organizations_page(
    session: Session,
    *,
    after: int,
    limit: int,
    kind: str | None = None,
    active: bool | None = None,
) -> list[Organization]:
    statement = select(Organization).where(Organization.id > after)
    if kind is not None:
        statement = statement.where(Organization.kind == kind)
    if active is not None:
        statement = statement.where(Organization.active == active)
    return list(session.scalars(statement.order_by(Organization.id).limit(limit)))


def people_page(
    session: Session,
    *,
    after: int,
    limit: int,
    organization_id: int | None = None,
    seated_on: tuple[int, datetime] | None = None,
    text: str | None = None,
) -> list[Person]:
    """People by id; ``seated_on`` (body id, moment) keeps those seated there then."""
    statement = select(Person).where(Person.id > after)
    if organization_id is not None:
        statement = statement.where(Person.organization_id == organization_id)
    if seated_on is not None:
        body_id, at = seated_on
        seated = select(Seat.person_id).where(Seat.body_id == body_id, _active_at(at))
        statement = statement.where(Person.id.in_(seated))
    if text:
        needle = text.lower()
        statement = statement.where(
            or_(
                func.lower(Person.name).contains(needle, autoescape=True),
                func.lower(Person.email).contains(needle, autoescape=True),
            )
        )
    return list(session.scalars(statement.order_by(Person.id).limit(limit)))


def bodies_page(session: Session, *, after: int, limit: int, kind: str | None = None) -> list[Body]:
    statement = select(Body).where(Body.id > after)
    if kind is not None:
        statement = statement.where(Body.kind == kind)
    return list(session.scalars(statement.order_by(Body.id).limit(limit)))


def seats_page(
    session: Session,
    *,
    body_id: int,
    after: int,
    limit: int,
    active_at: datetime | None = None,
    role: str | None = None,
) -> list[tuple[Seat, Person]]:
    """A body's seats with their holders, by seat id; ``active_at`` keeps terms covering it."""
    statement = (
        select(Seat, Person)
        .join(Person, Person.id == Seat.person_id)
        .where(Seat.body_id == body_id, Seat.id > after)
    )
    if active_at is not None:
        statement = statement.where(_active_at(active_at))
    if role is not None:
        statement = statement.where(Seat.role == role)
    rows = session.execute(statement.order_by(Seat.id).limit(limit))
    return [(seat, person) for seat, person in rows]


def seat_by_id(session: Session, seat_id: int, *, for_update: bool = False) -> Seat | None:
    return session.get(Seat, seat_id, with_for_update=for_update, populate_existing=for_update)


def tokens_page(
    session: Session, *, after: int, limit: int, person_id: int | None = None
) -> list[ApiToken]:
    statement = select(ApiToken).where(ApiToken.id > after)
    if person_id is not None:
        statement = statement.where(ApiToken.person_id == person_id)
    return list(session.scalars(statement.order_by(ApiToken.id).limit(limit)))


def token_by_id(session: Session, token_id: int, *, for_update: bool = False) -> ApiToken | None:
    return session.get(ApiToken, token_id, with_for_update=for_update, populate_existing=for_update)
