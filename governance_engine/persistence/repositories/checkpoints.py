"""Queries over signed checkpoints and the leaf hashes they are computed from."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Checkpoint, LogEntry

_BATCH = 10_000


def latest(session: Session) -> Checkpoint | None:
    statement = select(Checkpoint).order_by(Checkpoint.tree_size.desc()).limit(1)
    return session.scalars(statement).first()


def by_size(session: Session, tree_size: int) -> Checkpoint | None:
    return session.scalars(
        select(Checkpoint).where(Checkpoint.tree_size == tree_size)
    ).one_or_none()


def page(session: Session, *, after: int, limit: int) -> list[Checkpoint]:
    statement = (
        select(Checkpoint)
        .where(Checkpoint.tree_size > after)
        .order_by(Checkpoint.tree_size)
        .limit(limit)
    )
    return list(session.scalars(statement))


def chain_hashes(session: Session, *, upto: int) -> Iterator[str]:
    """The chain hash of entries 1..upto in seq order, streamed."""
    statement = (
        select(LogEntry.hash)
        .where(LogEntry.seq <= upto)
        .order_by(LogEntry.seq)
        .execution_options(yield_per=_BATCH)
    )
    result = session.scalars(statement)
    try:
        yield from result
    finally:
        result.close()


def entry(session: Session, seq: int) -> LogEntry | None:
    return session.get(LogEntry, seq)
