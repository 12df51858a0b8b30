"""``/api/v1/bodies/{slug}/meetings`` and ``/api/v1/meetings/{id}``: meetings, attendance,
motions.

Who may schedule, record attendance, open, close and call a vote is decided in
``governance_engine.services.meetings`` and ``.motions``; anyone signed in may read.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.deps import ClockDep, CurrentActor, DatabaseDep
from api.idempotency import RunOnce
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.meetings import (
    AttendanceCreate,
    AttendanceRead,
    MeetingCreate,
    MeetingRead,
    MeetingSummary,
    MotionCreate,
    MotionRead,
)
from governance_engine.services import meetings, motions

router = APIRouter(prefix="/api/v1", tags=["meetings"], route_class=RetryingRoute)


@router.post(
    "/bodies/{slug}/meetings",
    status_code=201,
    operation_id="schedule_meeting",
    response_model=MeetingRead,
    responses=responses(401, 403, 404, 422),
)
def schedule_meeting(
    slug: str, body: MeetingCreate, clock: ClockDep, actor: CurrentActor, once: RunOnce
) -> JSONResponse:
    """Schedule a meeting of the body (its chair, co-chair or secretary)."""

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        meeting = meetings.schedule_meeting(
            session,
            actor=actor,
            at=clock.now(),
            slug=slug,
            title=body.title,
            scheduled_at=body.scheduled_at,
            public=body.public,
            proxies_allowed=body.proxies_allowed,
            chair_id=body.chair_id,
        )
        read = MeetingRead.of_view(meetings.view_meeting(session, meeting.id))
        return 201, read.model_dump(mode="json"), {"Location": read.self}

    return once.run(body, work)


@router.get(
    "/bodies/{slug}/meetings",
    operation_id="list_meetings",
    response_model=Page[MeetingSummary],
    responses=responses(401, 404, 422),
)
def list_meetings(
    slug: str, database: DatabaseDep, actor: CurrentActor, page: PageDep
) -> Page[MeetingSummary]:
    """The body's meetings, oldest first."""
    with database.reader() as session:
        found = meetings.list_meetings(
            session, slug=slug, after=int_after(page), limit=page.limit + 1
        )
        items = [MeetingSummary.of(m, slug) for m in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    "/meetings/{meeting_id}",
    operation_id="get_meeting",
    response_model=MeetingRead,
    responses=responses(401, 404),
)
def get_meeting(meeting_id: int, database: DatabaseDep, actor: CurrentActor) -> MeetingRead:
    """A meeting with its attendance and motions."""
    with database.reader() as session:
        return MeetingRead.of_view(meetings.view_meeting(session, meeting_id))


@router.post(
    "/meetings/{meeting_id}/attendance",
    operation_id="record_attendance",
    response_model=AttendanceRead,
    responses=responses(401, 403, 404, 409, 422),
)
def record_attendance(
    meeting_id: int,
    body: AttendanceCreate,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
) -> AttendanceRead:
    """Record a person's attendance (the meeting's chair or the body's officers).

    A later record for the same person replaces the earlier one; both are in the log.
    """
    with database.transaction() as session:
        row = meetings.record_attendance(
            session,
            actor=actor,
            at=clock.now(),
            meeting_id=meeting_id,
            person_id=body.person_id,
            status=body.status,
            proxy_holder_id=body.proxy_holder_id,
        )
        return AttendanceRead.of(row)


@router.post(
    "/meetings/{meeting_id}/open",
    operation_id="open_meeting",
    response_model=MeetingRead,
    responses=responses(401, 403, 404, 409),
)
def open_meeting(
    meeting_id: int, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> MeetingRead:
    """Open a scheduled meeting: motions may be raised."""
    with database.transaction() as session:
        meetings.open_meeting(session, actor=actor, at=clock.now(), meeting_id=meeting_id)
        return MeetingRead.of_view(meetings.view_meeting(session, meeting_id))


@router.post(
    "/meetings/{meeting_id}/close",
    operation_id="close_meeting",
    response_model=MeetingRead,
    responses=responses(401, 403, 404, 409),
)
def close_meeting(
    meeting_id: int, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> MeetingRead:
    """Close an open meeting."""
    with database.transaction() as session:
        meetings.close_meeting(session, actor=actor, at=clock.now(), meeting_id=meeting_id)
        return MeetingRead.of_view(meetings.view_meeting(session, meeting_id))


@router.post(
    "/meetings/{meeting_id}/motions",
    status_code=201,
    operation_id="raise_motion",
    response_model=MotionRead,
    responses=responses(401, 403, 404, 409, 422),
)
def raise_motion(
    meeting_id: int, body: MotionCreate, clock: ClockDep, actor: CurrentActor, once: RunOnce
) -> JSONResponse:
    """Put a motion to the vote of the members present, under a meeting rule.

    Refused (409 `quorum-not-met`, the rule cited) when fewer members are present than the
    rule's quorum. The outcome is computed by the same rules as electronic ballots.
    """

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        decided = motions.raise_motion(
            session,
            actor=actor,
            at=clock.now(),
            meeting_id=meeting_id,
            title=body.title,
            text=body.text,
            rule_name=body.rule,
            positions=[
                motions.Position(p.person_id, p.choice, p.rationale) for p in body.positions
            ],
        )
        read = MotionRead.of(decided.motion)
        return 201, read.model_dump(mode="json"), {"Location": f"/api/v1/meetings/{meeting_id}"}

    return once.run(body, work)
