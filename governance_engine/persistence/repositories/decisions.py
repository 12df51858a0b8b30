"""Queries over the decision register."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Decision


def last_serial(session: Session, *, body_id: int, year: int) -> int:
    statement = select(func.max(Decision.serial)).where(
        Decision.body_id == body_id, Decision.year == year
    )
    return int(session.scalar(statement) or 0)


def by_number(session: Session, number: str) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.number == number)).one_or_none()
