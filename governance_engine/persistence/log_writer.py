"""The decision log's only writer, and the reader that verifies it.

``append`` runs inside the caller's unit of work, so the entry commits with the change it
records. Appends are serialised on the chain head: PostgreSQL locks the ``log_head`` row
(``SELECT ... FOR UPDATE``); SQLite writers already hold the database's write lock
(``BEGIN IMMEDIATE``). Two concurrent actions therefore never fork the chain.

Every entry is also an event in the transactional outbox (``persistence.outbox``), written
here and nowhere else, so webhooks hear of exactly the changes that committed, in log order.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from contextlib import closing
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_engine.errors import ConfigurationError
from governance_engine.log import (
    EntryContent,
    StoredEntry,
    VerifyResult,
    entry_hash,
    normalize,
    verify_chain,
)
from governance_engine.persistence import outbox
from governance_engine.persistence.models import LogEntry, LogHead

_STREAM_BATCH = 2_000


def lock_head(session: Session) -> LogHead:
    """Take the chain head's lock now (held to the end of the unit of work).

    For work that must be serialised with every other writer before its log entry is
    appended, such as allocating the next decision number. Lock proposal or ballot rows
    first and the head last, as ``append`` does, so writers never wait on each other in a cycle.
    """
    head = session.execute(
        select(LogHead).where(LogHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        raise ConfigurationError("the database has no log head: run `governance-engine db upgrade`")
    return head


def append(
    session: Session,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: str | int,
    payload: Mapping[str, Any],
    proposal_id: int | None = None,
    body_id: int | None = None,
) -> LogEntry:
    """Append one entry at the head of the chain and return it (flushed, not committed).

    Its outbox event, and a pending delivery for every webhook that wants it, are written in
    the same unit of work.
    """
    head = lock_head(session)
    content = EntryContent(
        seq=head.seq + 1,
        recorded_at=at,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        proposal_id=proposal_id,
        body_id=body_id,
        payload=normalize(payload),
    )
    digest = entry_hash(head.hash, content)
    entry = LogEntry(
        seq=content.seq,
        recorded_at=at,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=content.subject_id,
        proposal_id=proposal_id,
        body_id=body_id,
        payload=content.payload,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(entry)
    head.seq = content.seq
    head.hash = digest
    session.flush()
    outbox.record_log_entry(session, entry, export_document(entry))
    return entry


def head(session: Session) -> int:
    """The seq of the last entry (0 for an empty log), without locking."""
    row = session.get(LogHead, 1)
    return row.seq if row is not None else 0


def export_document(entry: LogEntry) -> dict[str, Any]:
    """The entry as exported: its hashed content plus ``prev_hash`` and ``hash``.

    Anyone holding this document can recompute ``hash`` from ``prev_hash`` and the content.
    """
    document = to_stored(entry).content.as_document()
    document["prev_hash"] = entry.prev_hash
    document["hash"] = entry.hash
    return document


def to_stored(entry: LogEntry) -> StoredEntry:
    return StoredEntry(
        content=EntryContent(
            seq=entry.seq,
            recorded_at=entry.recorded_at,
            actor_id=entry.actor_id,
            action=entry.action,
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            proposal_id=entry.proposal_id,
            body_id=entry.body_id,
            payload=entry.payload,
        ),
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )


def iter_entries(session: Session, *, after_seq: int = 0) -> Generator[LogEntry]:
    """Every entry in seq order, streamed in batches so memory stays flat."""
    statement = (
        select(LogEntry)
        .where(LogEntry.seq > after_seq)
        .order_by(LogEntry.seq)
        .execution_options(yield_per=_STREAM_BATCH)
    )
    result = session.scalars(statement)
    try:
        for entry in result:
            yield entry
            session.expunge(entry)
    finally:
        result.close()


def verify(session: Session) -> VerifyResult:
    """Recompute the whole chain from the stored entries; report the first broken seq.

    Also compares the recomputed head with the stored chain head, which catches entries
    removed from the end of the log (a chain cut short is otherwise internally valid).
    """
    with closing(iter_entries(session)) as entries:
        result = verify_chain(to_stored(entry) for entry in entries)
    if not result.ok:
        return result
    head = session.get(LogHead, 1)
    if head is not None and (head.seq, head.hash) != (result.checked, result.head_hash):
        return VerifyResult(
            ok=False,
            checked=result.checked,
            broken_seq=result.checked + 1,
            reason=f"the log ends at seq {result.checked} but its head records seq {head.seq}",
            head_hash=result.head_hash,
        )
    return result
