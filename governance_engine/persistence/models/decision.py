"""Decisions: the register of formal results, numbered per body and year (``TOC-2026-007``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from governance_engine.persistence.models.base import (
    Base,
    Digest,
    JSONDocument,
    UTCDateTime,
    enum_check,
)


class Decision(Base):
    """A formal result with its register number.

    Of a closed ballot, a transition into a final state, or a formal objection's resolution.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("ballot_id"),
        UniqueConstraint("body_id", "year", "serial"),
        # objection: the resolution of a formal objection (upheld or dismissed)
        enum_check("kind", ("ballot", "transition", "objection")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # WG-<slug>-YYYY-NNN: a slug has at most 64 characters
    number: Mapped[str] = mapped_column(String(100), unique=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    ballot_id: Mapped[int | None] = mapped_column(ForeignKey("ballots.id"))
    outcome: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str | None] = mapped_column(Digest)
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    tally: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    summary: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
