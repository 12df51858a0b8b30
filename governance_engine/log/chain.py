"""The hash chain over decision-log entries (DESIGN.md §6).

``hash(n) = SHA-256(prev_hash(n) || canonical_json(entry n))`` with ``prev_hash(1)`` the
genesis value of 64 zeros. Changing, removing, inserting or reordering any entry breaks
the chain at the first entry whose stored hash no longer matches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from governance_engine.log.canonical import canonical_bytes, format_timestamp

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class EntryContent:
    """The fields of a log entry that its hash covers."""

    seq: int
    recorded_at: datetime
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: str
    proposal_id: int | None
    body_id: int | None
    payload: Mapping[str, Any]

    def as_document(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "recorded_at": format_timestamp(self.recorded_at),
            "actor_id": self.actor_id,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "proposal_id": self.proposal_id,
            "body_id": self.body_id,
            "payload": dict(self.payload),
        }


def entry_hash(prev_hash: str, content: EntryContent) -> str:
    """The chain hash of ``content`` after ``prev_hash``; the payload must be normalised."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(canonical_bytes(content.as_document()))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as read back from storage: its content plus the hashes stored with it."""

    content: EntryContent
    prev_hash: str
    hash: str

    def as_document(self) -> dict[str, Any]:
        """The entry as exported: its hashed content plus ``prev_hash`` and ``hash``.

        Anyone holding this document can recompute ``hash`` from ``prev_hash`` and the content.
        """
        document = self.content.as_document()
        document["prev_hash"] = self.prev_hash
        document["hash"] = self.hash
        return document


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None
    head_hash: str = GENESIS_HASH

    def describe(self) -> str:
        if self.ok:
            return f"log intact: {self.checked} entries, head {self.head_hash}"
        return f"log broken at seq {self.broken_seq}: {self.reason}"


def verify_chain(
    entries: Iterable[StoredEntry], *, first_seq: int = 1, prev_hash: str = GENESIS_HASH
) -> VerifyResult:
    """Recompute the chain over ``entries`` (in seq order) and report the first break.

    Streams: holds one entry at a time, so memory stays flat however long the log is.
    ``first_seq`` and ``prev_hash`` resume the chain after an entry already checked.
    """
    expected_seq = first_seq
    prev = prev_hash
    checked = 0
    for entry in entries:
        seq = entry.content.seq
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "out of order"
            return VerifyResult(
                False, checked, expected_seq, f"entry {expected_seq} is {what}", prev
            )
        if entry.prev_hash != prev:
            return VerifyResult(
                False, checked, seq, "prev_hash does not match the entry before", prev
            )
        recomputed = entry_hash(prev, entry.content)
        if recomputed != entry.hash:
            return VerifyResult(False, checked, seq, "content does not match its hash", prev)
        prev = entry.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked, head_hash=prev)
