"""Queries over organizations, people, bodies, seats and tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import ApiToken, Body, Organization, Person, Seat


def person_by_email(session: Session, email: str) -> Person | None:
    return session.scalars(select(Person).where(Person.email == email)).one_or_none()


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
