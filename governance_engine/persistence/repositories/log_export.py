"""Streaming reads of the decision log for exports: constant memory however long the log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from governance_engine.log.chain import StoredEntry
from governance_engine.log.stored_row import DamagedRow
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Body, LogEntry


@dataclass(frozen=True)
class LogFilter:
    proposal_id: int | None = None
    body: str | None = None  # slug
    actor_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return self == LogFilter()


_Statement = TypeVar("_Statement", bound=Select[Any])


def _filtered(statement: _Statement, filters: LogFilter) -> _Statement:
    if filters.proposal_id is not None:
        statement = statement.where(LogEntry.proposal_id == filters.proposal_id)
    if filters.body is not None:
        statement = statement.where(
            LogEntry.body_id == select(Body.id).where(Body.slug == filters.body).scalar_subquery()
        )
    if filters.actor_id is not None:
        statement = statement.where(LogEntry.actor_id == filters.actor_id)
    if filters.action is not None:
        statement = statement.where(LogEntry.action == filters.action)
    if filters.since is not None:
        statement = statement.where(LogEntry.recorded_at >= filters.since)
    if filters.until is not None:
        statement = statement.where(LogEntry.recorded_at < filters.until)
    return statement


def count(session: Session, filters: LogFilter) -> int:
    statement = _filtered(select(func.count()).select_from(LogEntry), filters)
    return int(session.scalar(statement) or 0)


def stream(session: Session, filters: LogFilter) -> Iterator[StoredEntry | DamagedRow]:
    """The entries the filters select, in seq order, each row checked (see ``log_writer``)."""
    statement = _filtered(log_writer.raw_rows(session), filters).order_by(LogEntry.seq)
    return log_writer.parsed_rows(session, statement)
