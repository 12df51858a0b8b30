"""Queries over signed checkpoints and the leaf hashes they are computed from."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Checkpoint, LogEntry, MerkleBlock

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


def chain_hashes(session: Session, *, upto: int, after: int = 0) -> Iterator[str]:
    """The chain hash of entries after+1..upto in seq order, streamed."""
    statement = (
        select(LogEntry.hash)
        .where(LogEntry.seq > after, LogEntry.seq <= upto)
        .order_by(LogEntry.seq)
        .execution_options(yield_per=_BATCH)
    )
    result = session.scalars(statement)
    try:
        yield from result
    finally:
        result.close()


def numbered_chain_hashes(session: Session, *, upto: int) -> Iterator[tuple[object, object]]:
    """``(seq, hash)`` of entries 1..upto in seq order, streamed, as the driver returns them
    (untrusted: the caller checks each)."""
    statement = text(
        "SELECT seq, hash FROM log_entries WHERE seq >= 1 AND seq <= :upto ORDER BY seq"
    ).execution_options(yield_per=_BATCH)
    result = session.connection().execute(statement, {"upto": upto})
    try:
        for row in result:
            yield row[0], row[1]
    finally:
        result.close()


def block_roots(session: Session, *, height: int, below: int) -> dict[int, bytes]:
    """Stored roots of the blocks numbered 0..below-1 at ``height`` (some may be missing)."""
    statement = select(MerkleBlock.position, MerkleBlock.root).where(
        MerkleBlock.height == height, MerkleBlock.position < below
    )
    return {position: bytes.fromhex(root) for position, root in session.execute(statement)}


def blocks_stored(session: Session, *, height: int) -> int:
    """How many blocks at ``height`` are stored; they are always stored from block 0 up."""
    statement = select(func.max(MerkleBlock.position)).where(MerkleBlock.height == height)
    last = session.scalar(statement)
    return 0 if last is None else int(last) + 1


def entry(session: Session, seq: int) -> LogEntry | None:
    return session.get(LogEntry, seq)
