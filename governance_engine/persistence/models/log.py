"""The append-only decision log, its chain head, and signed checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from governance_engine.persistence.models.base import Base, Digest, JSONDocument, UTCDateTime


class LogEntry(Base):
    """One entry of the decision log. Database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "log_entries"
    __table_args__ = (CheckConstraint("seq >= 1", name="seq_positive"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(100))
    proposal_id: Mapped[int | None] = mapped_column(Integer, index=True)
    body_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    prev_hash: Mapped[str] = mapped_column(Digest)
    hash: Mapped[str] = mapped_column(Digest, unique=True)


class LogHead(Base):
    """The single row that names the chain head; appends lock it so the chain never forks."""

    __tablename__ = "log_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(Digest)
    # Changed (to a random value) by triggers whenever a webhook subscription changes, so
    # appends may reuse the subscriptions they last read while it stays the same.
    subscriptions_tag: Mapped[int] = mapped_column(BigInteger, server_default="0")


class MerkleBlock(Base):
    """The Merkle root of one complete, aligned block of log entries (a cache for proofs).

    Block ``position`` at ``height`` h covers entries ``position * 2**h + 1`` to
    ``(position + 1) * 2**h``. Written when checkpoints are signed; never required: a proof
    recomputes whatever is missing, and a wrong root here only makes proofs fail to verify.
    """

    __tablename__ = "merkle_blocks"

    height: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(Digest)


class Checkpoint(Base):
    """A signed Merkle root over log entries 1..tree_size (RFC 6962 hashing, Ed25519)."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, unique=True)
    root_hash: Mapped[str] = mapped_column(Digest)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)
