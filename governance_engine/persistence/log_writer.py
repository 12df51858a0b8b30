"""The decision log's only writer, and the reader that verifies it.

``append`` runs inside the caller's unit of work, so the entry commits with the change it
records. Appends are serialised on the chain head: PostgreSQL locks the ``log_head`` row
(``SELECT ... FOR UPDATE``); SQLite writers already hold the database's write lock
(``BEGIN IMMEDIATE``). Two concurrent actions therefore never fork the chain.

Every entry is also an event for the transactional outbox (``persistence.outbox``), handed
over here and nowhere else, so webhooks hear of exactly the changes that committed, in log
order.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Mapping
from contextlib import closing
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    bindparam,
    cast,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from governance_engine.errors import ConfigurationError
from governance_engine.log import (
    GENESIS_HASH,
    EntryContent,
    StoredEntry,
    VerifyResult,
    entry_hash,
    normalize,
    verify_chain,
)
from governance_engine.log.merkle import MerkleAccumulator, leaf_hash
from governance_engine.log.stored_row import DamagedRow, in_order, is_digest, parse_row
from governance_engine.persistence import outbox
from governance_engine.persistence.models import LogEntry, LogHead, table_of

_STREAM_BATCH = 2_000

# The append path is Core, not ORM: an entry is written once and never loaded back by the
# unit of work that writes it, so identity-map bookkeeping and flushes would be pure cost.
_entries = table_of(LogEntry)
_head = table_of(LogHead)
_LOCK_HEAD = (
    select(_head.c.seq, _head.c.hash, _head.c.subscriptions_tag)
    .where(_head.c.id == 1)
    .with_for_update()
)
_INSERT_ENTRY = insert(_entries)
_MOVE_HEAD = (
    update(_head)
    .where(_head.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)
# PostgreSQL runs a data-changing statement inside WITH, so there the head moves in the
# same round trip as the insert; SQLite runs the two statements.
_INSERT_ENTRY_MOVING_HEAD = insert(_entries).add_cte(_MOVE_HEAD.cte("moved_head"))
_LAST_AND_HEAD = select(
    select(func.max(_entries.c.seq)).scalar_subquery(),
    select(_head.c.seq).where(_head.c.id == 1).scalar_subquery(),
)


def lock_head(session: Session) -> LogHead:
    """Take the chain head's lock now (held to the end of the unit of work).

    For work that must be serialised with every other writer before its log entry is
    appended, such as allocating the next decision number. Lock proposal or ballot rows
    first and the head last, as ``append`` does, so writers never wait on each other in a cycle.
    """
    head = session.execute(
        select(LogHead)
        .where(LogHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)  # appends move the head without the ORM
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
) -> StoredEntry:
    """Append one entry at the head of the chain and return it (written, not committed).

    Its outbox event, and a pending delivery for every webhook that wants it, are written in
    the same unit of work.
    """
    session.flush()  # the entry may refer to rows the unit of work has not written yet
    connection = session.connection()
    head = connection.execute(_LOCK_HEAD).one_or_none()
    if head is None:
        raise ConfigurationError("the database has no log head: run `governance-engine db upgrade`")
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
    stored = StoredEntry(content=content, prev_hash=head.hash, hash=entry_hash(head.hash, content))
    row = {
        "seq": content.seq,
        "recorded_at": at,
        "actor_id": actor_id,
        "action": action,
        "subject_type": subject_type,
        "subject_id": content.subject_id,
        "proposal_id": proposal_id,
        "body_id": body_id,
        "payload": content.payload,
        "prev_hash": stored.prev_hash,
        "hash": stored.hash,
    }
    moved = {"new_seq": content.seq, "new_hash": stored.hash}
    if connection.dialect.name == "postgresql":
        connection.execute(_INSERT_ENTRY_MOVING_HEAD, row | moved)
    else:
        connection.execute(_INSERT_ENTRY, row)
        connection.execute(_MOVE_HEAD, moved)
    outbox.record_log_entry(session, stored, subscriptions_tag=head.subscriptions_tag)
    return stored


def head(session: Session) -> int:
    """The seq of the last entry (0 for an empty log), without locking."""
    return chain_head(session)[0]


def chain_head(session: Session) -> tuple[int, str]:
    """The seq and hash the chain head records (``(0, GENESIS_HASH)`` for an empty log)."""
    statement = select(_head.c.seq, _head.c.hash).where(_head.c.id == 1)
    row = session.connection().execute(statement).first()
    return (row.seq, row.hash) if row is not None else (0, GENESIS_HASH)


def export_document(entry: LogEntry) -> dict[str, Any]:
    """The entry as exported: its hashed content plus ``prev_hash`` and ``hash``."""
    return to_stored(entry).as_document()


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
    """Every entry in seq order as ORM objects, streamed in batches so memory stays flat."""
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


def iter_stored(
    session: Session, *, after_seq: int = 0, upto: int | None = None
) -> Generator[StoredEntry | DamagedRow]:
    """Entries after ``after_seq`` (up to ``upto``) in seq order, streamed, each row checked.

    Rows are read as the driver returns them, with no type processing, and checked by
    ``log.stored_row.parse_row``: a damaged row comes back as a :class:`DamagedRow` naming
    its seq, not as an exception, and so does a row the driver cannot even decode.
    """
    statement = raw_rows(session).where(_entries.c.seq > after_seq)
    if upto is not None:
        statement = statement.where(_entries.c.seq <= upto)
    return parsed_rows(session, statement.order_by(_entries.c.seq), after_seq=after_seq)


def raw_rows(session: Session) -> Select[Any]:
    """A select of every column of the log, with no result processing: what the driver has.

    PostgreSQL hands JSONB over as text, so the payload is JSON text on every backend.
    """
    raw = NullType()
    postgres = _dialect(session) == "postgresql"
    columns: list[ColumnElement[Any]] = [
        cast(_entries.c[name], Text)
        if name == "payload" and postgres
        else type_coerce(_entries.c[name], raw)
        for name in _ROW_COLUMNS
    ]
    statement: Select[Any] = select(*columns).select_from(_entries)
    return statement


_ROW_COLUMNS = (
    "seq",
    "recorded_at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "proposal_id",
    "body_id",
    "payload",
    "prev_hash",
    "hash",
)


def parsed_rows(
    session: Session, statement: Select[Any], *, after_seq: int = 0
) -> Generator[StoredEntry | DamagedRow]:
    """Run ``statement`` (from :func:`raw_rows`) streamed, and check each row it returns."""
    expected = after_seq + 1
    try:
        result = session.connection().execute(statement.execution_options(yield_per=_STREAM_BATCH))
    except DBAPIError as error:
        yield DamagedRow(expected, f"the log cannot be read: {_first_line(error)}")
        return
    batches = result.partitions()
    try:
        while True:
            try:
                batch = next(batches, None)
            except DBAPIError as error:
                yield DamagedRow(expected, f"a row cannot be read: {_first_line(error)}")
                return
            if batch is None:
                return
            for row in batch:
                parsed = parse_row(tuple(row), expected_seq=expected)
                yield parsed
                if isinstance(parsed, StoredEntry):
                    expected = parsed.content.seq + 1
    finally:
        result.close()


def _dialect(session: Session) -> str:
    return session.connection().dialect.name


def _first_line(error: DBAPIError) -> str:
    text_ = str(error.orig or error).strip()
    return text_.splitlines()[0] if text_ else type(error.orig or error).__name__


def verify(session: Session) -> VerifyResult:
    """Recompute the whole chain from the stored entries; report the first broken seq."""
    return verify_with_prefix(session, prefix_size=None)[0]


def verify_with_prefix(
    session: Session, *, prefix_size: int | None
) -> tuple[VerifyResult, bytes | None]:
    """Recompute the whole chain, and the Merkle root of its first ``prefix_size`` entries.

    Reads the chain head first and checks the entries up to it, so appends committed while
    it runs are not mistaken for damage. Comparing the recomputed end with the head catches
    entries removed from the end of the log (a chain cut short is otherwise internally
    valid); entries stored beyond the head are caught too, since an append writes its entry
    and moves the head in one transaction. Every row is untrusted: a damaged one is named
    by its seq, never raised. The root is None when the log has fewer entries than asked
    for or the chain breaks before them (the result says why).
    """
    head = read_head(session)
    if isinstance(head, DamagedRow):
        with closing(iter_stored(session)) as rows:
            result = _verify_rows(rows, None)[0]
        return (result if not result.ok else _broken(result, result.checked + 1, head.what)), None
    head_seq, head_hash = head
    with closing(iter_stored(session, upto=head_seq)) as rows:
        result, root = _verify_rows(rows, prefix_size)
    if not result.ok:
        return result, None
    if (head_seq, head_hash) != (result.checked, result.head_hash):
        if head_seq == result.checked:
            what = f"the log head records a hash for seq {head_seq} that is not its entry's"
        else:
            what = f"the log ends at seq {result.checked} but its head records seq {head_seq}"
        return _broken(result, result.checked + 1, what), None
    last, now_head = session.connection().execute(_LAST_AND_HEAD).one()
    if type(last) is int and type(now_head) is int and last > now_head:
        # one snapshot: an append keeps last <= head
        what = f"entries up to seq {last} are stored beyond the head at seq {now_head}"
        return _broken(result, now_head + 1, what), None
    if type(last) is not int and last is not None:
        return _broken(result, result.checked + 1, f"a row is stored with seq {last!r}"), None
    return result, root


def _broken(result: VerifyResult, seq: int, what: str) -> VerifyResult:
    return VerifyResult(
        ok=False, checked=result.checked, broken_seq=seq, reason=what, head_hash=result.head_hash
    )


def _verify_rows(
    rows: Iterable[StoredEntry | DamagedRow], prefix_size: int | None
) -> tuple[VerifyResult, bytes | None]:
    damage: list[DamagedRow] = []
    tree = MerkleAccumulator()

    def entries() -> Iterator[StoredEntry]:
        for row in in_order(rows):
            if isinstance(row, DamagedRow):
                damage.append(row)
                return
            if prefix_size is not None and tree.size < prefix_size and is_digest(row.hash):
                tree.add(leaf_hash(bytes.fromhex(row.hash)))  # a bad hash breaks the chain here
            yield row

    result = verify_chain(entries())
    if not result.ok:
        return result, None
    if damage:
        return _broken(result, damage[0].seq, damage[0].what), None
    if prefix_size is None or tree.size < prefix_size:
        return result, None
    return result, tree.root()


def read_head(session: Session) -> tuple[int, str] | DamagedRow:
    """The chain head's seq and hash, checked: a missing or malformed head is damage."""
    try:
        rows = session.connection().execute(text(_SQL_HEAD)).all()
    except DBAPIError as error:
        return DamagedRow(1, f"the log head cannot be read: {_first_line(error)}")
    if not rows:
        return DamagedRow(1, "the log head row is missing")
    seq, digest = rows[0]
    if type(seq) is not int or seq < 0:
        return DamagedRow(1, f"the log head records seq {seq!r}")
    if not is_digest(digest):
        return DamagedRow(max(seq, 1), f"the log head records hash {digest!r}")
    return seq, digest


_SQL_HEAD = "SELECT seq, hash FROM log_head WHERE id = 1"
