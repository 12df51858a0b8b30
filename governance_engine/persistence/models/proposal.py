"""Workflow snapshots, proposals, their authors and their immutable revisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from governance_engine.persistence.models.base import (
    Base,
    Digest,
    JSONDocument,
    UTCDateTime,
)


class WorkflowVersion(Base):
    """The definition a proposal was filed under, kept so later edits never change it."""

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(Digest)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Proposal(Base):
    __tablename__ = "proposals"
    # ``kind`` is open: any [a-z][a-z0-9_-]* a workflow declares (checked when it is loaded).
    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        ForeignKeyConstraint(
            ["workflow_name", "workflow_version"],
            ["workflow_versions.name", "workflow_versions.version"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    sponsor_body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    state: Mapped[str] = mapped_column(String(64), index=True)
    workflow_name: Mapped[str] = mapped_column(String(64))
    workflow_version: Mapped[int] = mapped_column(Integer)
    # Optimistic concurrency: every change bumps it; clients send it back as If-Match.
    version: Mapped[int] = mapped_column(Integer, default=1)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    state_entered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProposalAuthor(Base):
    __tablename__ = "proposal_authors"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)


class Revision(Base):
    """Immutable markdown text of a proposal, numbered 1, 2, ... and identified by its SHA-256."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("proposal_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(Digest)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
