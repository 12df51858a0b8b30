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
    newest_first: bool = False,
) -> list[LogEntry]:
    """Entries in ``seq`` order after a cursor; ``newest_first``: the latest first, and
    ``after`` (when not 0) is the last ``seq`` already seen."""
    statement = select(LogEntry)
    if newest_first:
        statement = statement.where(LogEntry.seq < after) if after else statement
    else:
        statement = statement.where(LogEntry.seq > after)
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
    order = LogEntry.seq.desc() if newest_first else LogEntry.seq
    return list(session.scalars(statement.order_by(order).limit(limit)))
