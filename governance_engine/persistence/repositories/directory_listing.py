"""The whole directory at once, for exporting and importing it as a file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Body, Organization, Person, Seat


def organizations(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.name)))


def people(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).order_by(Person.email)))


def bodies(session: Session) -> list[Body]:
    return list(session.scalars(select(Body).order_by(Body.id)))


def seats_of(session: Session, *, person_id: int, body_id: int) -> list[Seat]:
    statement = select(Seat).where(Seat.person_id == person_id, Seat.body_id == body_id)
    return list(session.scalars(statement.order_by(Seat.id)))


def seats_held(session: Session, *, at: datetime) -> list[tuple[Seat, Body, Person]]:
    """Seats whose term has not ended at ``at`` (current and future terms), with holders."""
    statement = (
        select(Seat, Body, Person)
        .join(Body, Body.id == Seat.body_id)
        .join(Person, Person.id == Seat.person_id)
        .where(or_(Seat.term_end.is_(None), Seat.term_end > at))
        .order_by(Body.slug, Person.email, Seat.term_start, Seat.id)
    )
    return [(seat, body, person) for seat, body, person in session.execute(statement)]
