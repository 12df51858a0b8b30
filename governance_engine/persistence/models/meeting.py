"""Meetings of a body: when, who chairs, who attended, and the motions voted there."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from governance_engine.persistence.models.base import (
    Base,
    JSONDocument,
    UTCDateTime,
    enum_check,
)


class MeetingState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    """In the room."""
    REMOTE = "remote"
    """Present by call or video: counts as present."""
    PROXY = "proxy"
    """Represented by another person holding the member's proxy (only if the meeting allows)."""
    APOLOGIES = "apologies"
    """Absent, having sent apologies."""
    ABSENT = "absent"


PRESENT_STATUSES = frozenset(
    {AttendanceStatus.PRESENT, AttendanceStatus.REMOTE, AttendanceStatus.PROXY}
)


class Meeting(Base):
    """A meeting of one body, chaired by one person; scheduled, then open, then closed."""

    __tablename__ = "meetings"
    __table_args__ = (enum_check("state", MeetingState),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    proxies_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    chair_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    state: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MeetingAttendance(Base):
    """One person's attendance at a meeting: the latest record wins (history is in the log)."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        enum_check("status", AttendanceStatus),
        CheckConstraint(
            "(status = 'proxy') = (proxy_holder_id IS NOT NULL)", name="proxy_holder_iff_proxy"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(16))
    proxy_holder_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Motion(Base):
    """A motion voted in a meeting by the members present, under a meeting rule.

    The rule, the electorate (the body's voting members), who was present and every position
    are frozen here and in the ``motion.decided`` log entry, so the outcome can be recomputed
    with ``voting.evaluate`` from either.
    """

    __tablename__ = "motions"
    __table_args__ = (
        CheckConstraint("outcome IN ('passed', 'failed', 'no_quorum')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    rule_name: Mapped[str] = mapped_column(String(64))
    rule: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    electorate: Mapped[list[int]] = mapped_column(JSONDocument)
    present: Mapped[list[int]] = mapped_column(JSONDocument)
    positions: Mapped[dict[str, str]] = mapped_column(JSONDocument)
    outcome: Mapped[str] = mapped_column(String(16))
    tally: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
