"""Ballots with their frozen electorate, and the one current vote per voter."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
    select,
    table,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from governance_engine.persistence.models.base import (
    Base,
    Digest,
    JSONDocument,
    UTCDateTime,
    enum_check,
)


class BallotState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class BallotOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NO_QUORUM = "no_quorum"


# The votes table, as much as a ballot's version needs of it (Vote is defined below).
_VOTES = table("votes", column("ballot_id", Integer), column("changes", Integer))


class Ballot(Base):
    """One vote of one body on one revision at one stage.

    The rule, the revision digest, the deadline and (in ``ballot_electors``) the electorate
    are frozen when it opens: later changes to presets, seats or text never reach it.
    """

    __tablename__ = "ballots"
    __table_args__ = (
        enum_check("state", BallotState),
        CheckConstraint(
            "outcome IS NULL OR outcome IN ('passed', 'failed', 'no_quorum')", name="outcome"
        ),
        CheckConstraint("(state = 'closed') = (outcome IS NOT NULL)", name="outcome_iff_closed"),
        # At most one open ballot per proposal, enforced by the database.
        Index(
            "uq_ballots_one_open_per_proposal",
            "proposal_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
        Index("ix_ballots_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    stage: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(Digest)
    rule_name: Mapped[str] = mapped_column(String(64))
    rule: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    close_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Changes of the ballot itself (opened, amended, closed...); votes are not counted here,
    so that casting one never writes the ballot's row (see ``current_version``)."""
    vote_revisions: Mapped[int] = column_property(
        select(func.count() + func.coalesce(func.sum(_VOTES.c.changes), 0))
        .where(_VOTES.c.ballot_id == id)
        .correlate_except(_VOTES)
        .scalar_subquery()
    )
    """Votes cast plus votes changed, counted from the votes themselves."""

    @property
    def current_version(self) -> int:
        """The ballot's ETag: moves with every change of the ballot and every vote cast or
        changed, without any vote writing the ballot's row (voters do not queue on it)."""
        return self.version + self.vote_revisions


class BallotElector(Base):
    """A member of a ballot's frozen electorate. Amendments end a row; they never delete it."""

    __tablename__ = "ballot_electors"

    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    change_reason: Mapped[str] = mapped_column(Text, default="")


class Vote(Base):
    """A voter's current position on a ballot; earlier positions live in the decision log."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("ballot_id", "voter_id"),
        # A vote can only exist for a member of the ballot's electorate.
        ForeignKeyConstraint(
            ["ballot_id", "voter_id"],
            ["ballot_electors.ballot_id", "ballot_electors.person_id"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(Integer)
    voter_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    choice: Mapped[str] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changes: Mapped[int] = mapped_column(Integer, default=0)
