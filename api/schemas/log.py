"""Decision-log entries as readers see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from governance_engine.services.reads import LogEntryView


class LogEntryRead(BaseModel):
    seq: int
    recorded_at: datetime
    actor_id: int | None = Field(description="null for the system (ballot outcomes, timers)")
    action: str = Field(examples=["proposal.transitioned"])
    subject_type: str
    subject_id: str
    proposal_id: int | None
    body_id: int | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    redacted: bool = Field(
        description="true when secrecy removed how someone voted; the hash covers the full entry"
    )

    @classmethod
    def of(cls, view: LogEntryView) -> LogEntryRead:
        entry = view.entry
        return cls(
            seq=entry.seq,
            recorded_at=entry.recorded_at,
            actor_id=entry.actor_id,
            action=entry.action,
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            proposal_id=entry.proposal_id,
            body_id=entry.body_id,
            payload=view.payload,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
            redacted=view.redacted,
        )


class LogVerifyRead(BaseModel):
    """The result of recomputing the whole hash chain."""

    ok: bool
    checked: int = Field(description="Entries recomputed")
    broken_seq: int | None = Field(description="The first entry that does not verify")
    reason: str | None = Field(examples=["hash mismatch: the entry was changed"])
    head_hash: str = Field(description="The recomputed hash of the last entry checked")
