"""Meetings of a body: scheduling, attendance, opening and closing.

The rule: a body's chair, co-chair or secretary schedules a meeting and names who chairs it
(a person holding a seat on the body). The meeting's chair and the body's officers record
attendance while the meeting is scheduled or open, open it and close it. Present in person,
remote, and by proxy count as present; a proxy needs a meeting that allows proxies (as the
charter says) and a holder other than the member. Every change is one log entry.

Motions voted in an open meeting are in :mod:`governance_engine.services.motions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import (
    AttendanceStatus,
    Body,
    Meeting,
    MeetingAttendance,
    MeetingState,
    Motion,
    Person,
    SeatRole,
)
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import meetings as queries
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_writer

MAX_TITLE: Final = 200
OFFICERS: Final = frozenset(
    {SeatRole.CHAIR.value, SeatRole.CO_CHAIR.value, SeatRole.SECRETARY.value}
)


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    body: Body
    attendance: list[MeetingAttendance]
    motions: list[Motion]


def body_by_slug(session: Session, slug: str) -> Body:
    body = directory.body_by_slug(session, slug)
    if body is None:
        raise NotFound(f"no body {slug!r}", field="slug")
    return body


def get_meeting(session: Session, meeting_id: int, *, for_update: bool = False) -> Meeting:
    found = queries.meeting(session, meeting_id, for_update=for_update)
    if found is None:
        raise NotFound(f"no meeting {meeting_id}")
    return found


def view_meeting(session: Session, meeting_id: int) -> MeetingView:
    meeting = get_meeting(session, meeting_id)
    body = session.get(Body, meeting.body_id)
    assert body is not None  # a foreign key guarantees it
    return MeetingView(
        meeting, body, queries.attendance(session, meeting.id), queries.motions(session, meeting.id)
    )


def list_meetings(session: Session, *, slug: str, after: int, limit: int) -> list[Meeting]:
    body = body_by_slug(session, slug)
    return queries.meetings_page(session, body_id=body.id, after=after, limit=limit)


def _roles(session: Session, person_id: int | None, body: Body, at: datetime) -> set[str]:
    if person_id is None:
        return set()
    seats = directory.active_seats(session, at=at, person_id=person_id, body_id=body.id)
    return {seat.role for seat in seats}


def _require_body_officer(
    session: Session, actor: Actor, body: Body, at: datetime, doing: str
) -> None:
    require_writer(actor)
    if not _roles(session, actor.person_id, body, at) & OFFICERS:
        raise PermissionDenied(
            f"only the chair, co-chair or secretary of {body.slug} may {doing}", body=body.slug
        )


def require_meeting_officer(
    session: Session, actor: Actor, meeting: Meeting, at: datetime, doing: str
) -> Body:
    """The meeting's chair, or an officer of its body, may run the meeting."""
    body = session.get(Body, meeting.body_id)
    assert body is not None  # a foreign key guarantees it
    require_writer(actor)
    if actor.person_id is not None and actor.person_id == meeting.chair_id:
        return body
    _require_body_officer(session, actor, body, at, doing)
    return body


def _title(title: str) -> str:
    title = title.strip()
    if not title:
        raise InvalidInput("a meeting needs a title", field="title")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"a title has at most {MAX_TITLE} characters", field="title")
    return title


def schedule_meeting(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    slug: str,
    title: str,
    scheduled_at: datetime,
    public: bool = False,
    proxies_allowed: bool = False,
    chair_id: int | None = None,
) -> Meeting:
    """Schedule a meeting of the body (its chair, co-chair or secretary)."""
    body = body_by_slug(session, slug)
    _require_body_officer(session, actor, body, at, "schedule its meetings")
    chair = chair_id if chair_id is not None else actor.person_id
    if chair is None or not _roles(session, chair, body, at):
        raise InvalidInput(
            f"the chair of a meeting of {body.slug} must hold a seat on it", field="chair_id"
        )
    if scheduled_at.tzinfo is None:
        raise InvalidInput("scheduled_at needs a time zone", field="scheduled_at")
    assert actor.person_id is not None  # an officer is a person
    meeting = Meeting(
        body_id=body.id,
        title=_title(title),
        scheduled_at=scheduled_at,
        public=public,
        proxies_allowed=proxies_allowed,
        chair_id=chair,
        state=MeetingState.SCHEDULED.value,
        created_by_id=actor.person_id,
        created_at=at,
    )
    session.add(meeting)
    session.flush()
    _log(
        session,
        meeting,
        actor=actor,
        at=at,
        action="meeting.scheduled",
        payload={
            "title": meeting.title,
            "scheduled_at": scheduled_at,
            "public": public,
            "proxies_allowed": proxies_allowed,
            "chair_id": chair,
        },
    )
    return meeting


def record_attendance(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    meeting_id: int,
    person_id: int,
    status: str,
    proxy_holder_id: int | None = None,
) -> MeetingAttendance:
    """Record one person's attendance (meeting chair or officer); a later record replaces it."""
    meeting = get_meeting(session, meeting_id, for_update=True)
    body = require_meeting_officer(session, actor, meeting, at, "record attendance")
    if meeting.state == MeetingState.CLOSED.value:
        raise Conflict(f"meeting {meeting.id} is closed: its attendance is final")
    try:
        kind = AttendanceStatus(status)
    except ValueError:
        valid = ", ".join(s.value for s in AttendanceStatus)
        raise InvalidInput(
            f"unknown attendance status {status!r}; valid: {valid}", field="status"
        ) from None
    if session.get(Person, person_id) is None:
        raise NotFound(f"no person {person_id}", field="person_id")
    if not _roles(session, person_id, body, at):
        raise InvalidInput(f"person {person_id} holds no seat on {body.slug}", field="person_id")
    _check_proxy(session, meeting, kind, person_id, proxy_holder_id)
    row = queries.attendance_of(session, meeting.id, person_id)
    if row is None:
        row = MeetingAttendance(meeting_id=meeting.id, person_id=person_id)
        session.add(row)
    row.status = kind.value
    row.proxy_holder_id = proxy_holder_id if kind is AttendanceStatus.PROXY else None
    assert actor.person_id is not None  # an officer is a person
    row.recorded_by_id = actor.person_id
    row.recorded_at = at
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="attendance.recorded",
        subject_type="meeting",
        subject_id=meeting.id,
        body_id=meeting.body_id,
        payload={
            "person_id": person_id,
            "status": kind.value,
            "proxy_holder_id": row.proxy_holder_id,
        },
    )
    return row


def _check_proxy(
    session: Session,
    meeting: Meeting,
    kind: AttendanceStatus,
    person_id: int,
    holder: int | None,
) -> None:
    if kind is not AttendanceStatus.PROXY:
        if holder is not None:
            raise InvalidInput(
                "a proxy holder is only given with the status 'proxy'", field="proxy_holder_id"
            )
        return
    if not meeting.proxies_allowed:
        raise Conflict(
            f"meeting {meeting.id} allows no proxies (the charter must allow them when the "
            "meeting is scheduled)"
        )
    if holder is None:
        raise InvalidInput("attendance by proxy names the proxy holder", field="proxy_holder_id")
    if holder == person_id:
        raise InvalidInput("a member cannot hold their own proxy", field="proxy_holder_id")
    if session.get(Person, holder) is None:
        raise NotFound(f"no person {holder}", field="proxy_holder_id")


def open_meeting(session: Session, *, actor: Actor, at: datetime, meeting_id: int) -> Meeting:
    """Open a scheduled meeting (its chair or a body officer): motions may now be raised."""
    meeting = get_meeting(session, meeting_id, for_update=True)
    require_meeting_officer(session, actor, meeting, at, "open the meeting")
    if meeting.state != MeetingState.SCHEDULED.value:
        raise Conflict(f"meeting {meeting.id} is {meeting.state}, not scheduled")
    meeting.state = MeetingState.OPEN.value
    meeting.opened_at = at
    session.flush()
    _log(session, meeting, actor=actor, at=at, action="meeting.opened", payload={})
    return meeting


def close_meeting(session: Session, *, actor: Actor, at: datetime, meeting_id: int) -> Meeting:
    """Close an open meeting (its chair or a body officer): no more motions or attendance."""
    meeting = get_meeting(session, meeting_id, for_update=True)
    require_meeting_officer(session, actor, meeting, at, "close the meeting")
    if meeting.state != MeetingState.OPEN.value:
        raise Conflict(f"meeting {meeting.id} is {meeting.state}, not open")
    meeting.state = MeetingState.CLOSED.value
    meeting.closed_at = at
    session.flush()
    motions = queries.motions(session, meeting.id)
    _log(
        session,
        meeting,
        actor=actor,
        at=at,
        action="meeting.closed",
        payload={"motions": [m.id for m in motions]},
    )
    return meeting


def _log(
    session: Session,
    meeting: Meeting,
    *,
    actor: Actor,
    at: datetime,
    action: str,
    payload: dict[str, Any],
) -> None:
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action=action,
        subject_type="meeting",
        subject_id=meeting.id,
        body_id=meeting.body_id,
        payload=payload,
    )
