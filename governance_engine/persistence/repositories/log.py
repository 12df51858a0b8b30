"""Queries over the decision log for readers (the writer is ``persistence.log_writer``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import LogEntry


def page(
    session: Session,
    *,
    after: int,
    limit: int,
    proposal_id: int | None = None,
    body_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[LogEntry]:
    statement = select(LogEntry).where(LogEntry.seq > after)
    if proposal_id is not None:
        statement = statement.where(LogEntry.proposal_id == proposal_id)
    if body_id is not None:
        statement = statement.where(LogEntry.body_id == body_id)
    if actor_id is not None:
        statement = statement.where(LogEntry.actor_id == actor_id)
    if action is not None:
        statement = statement.where(LogEntry.action == action)
    if since is not None:
        statement = statement.where(LogEntry.recorded_at >= since)
    if until is not None:
        statement = statement.where(LogEntry.recorded_at < until)
    return list(session.scalars(statement.order_by(LogEntry.seq).limit(limit)))
