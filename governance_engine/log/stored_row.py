"""Log rows read back from storage, treated as untrusted input.

Whoever owns the database can write anything into a log row: text that is not JSON, a number
where a string belongs, NULLs, a seq that repeats or skips. The auditor's tools must name
such a row, not crash on it, so every row passes through :func:`parse_row` before anything
reads it: either a :class:`StoredEntry`, or a :class:`DamagedRow` saying what is wrong.

:func:`in_order` then checks the sequence: seqs 1, 2, 3, ... with no gap, repeat or reversal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from governance_engine.log.chain import EntryContent, StoredEntry

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class DamagedRow:
    """A stored row that cannot be an entry of the log; ``seq`` is the first seq it damages."""

    seq: int
    what: str

    def describe(self) -> str:
        return f"log damaged at seq {self.seq}: {self.what}"


class _Bad(ValueError):
    pass


def is_digest(value: object) -> bool:
    """A SHA-256 digest as the log stores it: 64 lowercase hex digits."""
    return isinstance(value, str) and _HEX_DIGEST.fullmatch(value) is not None


def parse_row(row: tuple[Any, ...], *, expected_seq: int) -> StoredEntry | DamagedRow:
    """One row ``(seq, recorded_at, actor_id, action, subject_type, subject_id, proposal_id,
    body_id, payload, prev_hash, hash)`` as a driver returned it, checked field by field.

    ``recorded_at`` may be an aware datetime or the text SQLite stores; ``payload`` is JSON
    text or an already decoded object. ``expected_seq`` names the row when its seq is unusable.
    The hashes need only be text here: one that is not the digest of the entry breaks the
    chain at this seq when it is checked.
    """
    if len(row) != 11:
        return DamagedRow(expected_seq, f"row has {len(row)} columns, not 11")
    seq, at, actor, action, kind, subject, proposal, body, payload, prev, digest = row
    if type(seq) is not int:
        return DamagedRow(expected_seq, f"the row after seq {expected_seq - 1} has seq {seq!r}")
    try:
        if type(action) is not str or type(kind) is not str or type(subject) is not str:
            raise _Bad(_which_not_text(action=action, subject_type=kind, subject_id=subject))
        if not (actor is None or type(actor) is int):
            raise _Bad(f"actor_id is {_short(actor)}, not a whole number or NULL")
        if not (proposal is None or type(proposal) is int):
            raise _Bad(f"proposal_id is {_short(proposal)}, not a whole number or NULL")
        if not (body is None or type(body) is int):
            raise _Bad(f"body_id is {_short(body)}, not a whole number or NULL")
        if type(prev) is not str or type(digest) is not str:
            raise _Bad(_which_not_text(prev_hash=prev, hash=digest))
        content = EntryContent(
            seq, _timestamp(at), actor, action, kind, subject, proposal, body, _payload(payload)
        )
    except _Bad as bad:
        return DamagedRow(seq, str(bad))
    return StoredEntry(content=content, prev_hash=prev, hash=digest)


def _which_not_text(**values: object) -> str:
    name, value = next((n, v) for n, v in values.items() if type(v) is not str)
    return f"{name} is {_short(value)}, not text"


def in_order(
    rows: Iterable[StoredEntry | DamagedRow], *, first_seq: int = 1
) -> Iterator[StoredEntry | DamagedRow]:
    """The rows, stopping after the first damage: a bad row, or a seq out of sequence.

    A seq above the next expected one means entries are missing; one at or below the last
    means a seq is stored twice or rows are out of order. Either is reported at the first
    seq it damages.
    """
    expected = first_seq
    for row in rows:
        if isinstance(row, DamagedRow):
            yield row if row.seq <= expected else _missing(expected, row.seq)
            return
        seq = row.content.seq
        if seq != expected:
            if seq > expected:
                yield _missing(expected, seq)
            else:
                yield DamagedRow(seq, f"seq {seq} is stored again after seq {expected - 1}")
            return
        yield row
        expected += 1


def _missing(expected: int, found: int) -> DamagedRow:
    return DamagedRow(expected, f"entry {expected} is missing (the next stored seq is {found})")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _timestamp(value: object) -> datetime:
    if type(value) is str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _Bad(f"recorded_at {_short(value)} is not a timestamp") from None
    elif isinstance(value, datetime):
        moment = value
    else:
        raise _Bad(f"recorded_at is {_short(value)}, not a timestamp")
    # SQLite keeps UTC without a zone (see persistence.models.base.UTCDateTime).
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _payload(value: object) -> Mapping[str, Any]:
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise _Bad("payload is not UTF-8 text") from None
    if isinstance(value, str):
        try:
            value = _DECODER.decode(value)
        except (ValueError, RecursionError) as error:
            raise _Bad(f"payload is not valid JSON ({error})") from None
    elif _has_float(value):  # decoded by the driver: NaN and infinities could not be hashed
        raise _Bad("payload holds a number with a fraction, which no entry is written with")
    if not isinstance(value, dict):
        raise _Bad(f"payload is {type(value).__name__}, not a JSON object")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# One decoder for every row: ``json.loads`` with options builds a new one each time.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_float(item) for item in value)
    return False
