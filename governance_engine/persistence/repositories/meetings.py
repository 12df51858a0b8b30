"""Queries for meetings, their attendance and their motions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Meeting, MeetingAttendance, Motion


def meeting(session: Session, meeting_id: int, *, for_update: bool = False) -> Meeting | None:
    statement = select(Meeting).where(Meeting.id == meeting_id)
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).one_or_none()


def meetings_page(session: Session, *, body_id: int, after: int, limit: int) -> list[Meeting]:
    statement = (
        select(Meeting)
        .where(Meeting.body_id == body_id, Meeting.id > after)
        .order_by(Meeting.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def attendance(session: Session, meeting_id: int) -> list[MeetingAttendance]:
    statement = (
        select(MeetingAttendance)
        .where(MeetingAttendance.meeting_id == meeting_id)
        .order_by(MeetingAttendance.person_id)
    )
    return list(session.scalars(statement))


def attendance_of(session: Session, meeting_id: int, person_id: int) -> MeetingAttendance | None:
    statement = select(MeetingAttendance).where(
        MeetingAttendance.meeting_id == meeting_id, MeetingAttendance.person_id == person_id
    )
    return session.scalars(statement).one_or_none()


def motions(session: Session, meeting_id: int) -> list[Motion]:
    statement = select(Motion).where(Motion.meeting_id == meeting_id).order_by(Motion.id)
    return list(session.scalars(statement))


def motion_outcomes(session: Session) -> dict[int, str]:
    """Every motion's stored outcome, by motion id (for replay)."""
    rows = session.execute(select(Motion.id, Motion.outcome))
    return {motion_id: outcome for motion_id, outcome in rows}  # noqa: C416 - rows, not pairs
