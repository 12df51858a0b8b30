"""Review before the vote: comments, concerns and formal objections."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from governance_engine.persistence.models.base import Base, UTCDateTime, enum_check


class Comment(Base):
    """A comment on a revision, optionally on a line range; replies are one level deep.

    Never deleted: a retraction keeps the row with ``retracted_at`` set.
    """

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(
            "(line_start IS NULL AND line_end IS NULL) OR "
            "(line_start >= 1 AND line_end >= line_start)",
            name="line_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    body: Mapped[str] = mapped_column(Text)
    line_start: Mapped[int | None] = mapped_column(Integer)
    line_end: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Concern(Base):
    """A named concern on a revision; only its raiser resolves it."""

    __tablename__ = "concerns"
    __table_args__ = (enum_check("state", ("open", "addressed", "resolved")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16))
    addressed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    addressed_reason: Mapped[str] = mapped_column(Text, default="")
    addressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Objection(Base):
    """A formal objection to a decision, decided by the body above the one that decided."""

    __tablename__ = "objections"
    __table_args__ = (enum_check("state", ("open", "upheld", "dismissed", "withdrawn")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    lodged_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    deciding_body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    grounds: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
