"""Queries over stored ``Idempotency-Key`` responses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import IdempotencyRecord


def find(session: Session, *, person_id: int, key: str) -> IdempotencyRecord | None:
    statement = select(IdempotencyRecord).where(
        IdempotencyRecord.person_id == person_id, IdempotencyRecord.key == key
    )
    return session.scalars(statement).one_or_none()
