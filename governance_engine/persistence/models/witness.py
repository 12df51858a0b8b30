"""Witnesses: member organizations' keys that co-sign checkpoints, and their cosignatures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from governance_engine.persistence.models.base import Base, UTCDateTime


class WitnessKey(Base):
    """A witness's Ed25519 cosigning key, registered by an admin (a C2SP verifier key)."""

    __tablename__ = "witness_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    verifier_key: Mapped[str] = mapped_column(String(400), unique=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class Cosignature(Base):
    """A witness's cosignature/v1 on the checkpoint of ``tree_size`` (its note line, verified
    when received; the latest one per witness and size is kept)."""

    __tablename__ = "cosignatures"
    __table_args__ = (UniqueConstraint("tree_size", "witness_key_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    witness_key_id: Mapped[int] = mapped_column(ForeignKey("witness_keys.id"))
    cosigned_at: Mapped[int] = mapped_column(BigInteger)  # the cosignature's POSIX time
    line: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
