"""Meetings of a body, their attendance and the motions voted in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from governance_engine.persistence.models import Meeting, MeetingAttendance, Motion
from governance_engine.services.meetings import MeetingView

AttendanceStatusName = Literal["present", "remote", "proxy", "apologies", "absent"]
MeetingStateName = Literal["scheduled", "open", "closed"]


class MeetingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    scheduled_at: AwareDatetime = Field(description="When it starts (with a time zone)")
    public: bool = Field(default=False, description="Open to the public, or private")
    proxies_allowed: bool = Field(
        default=False, description="The charter allows members to attend by proxy"
    )
    chair_id: int | None = Field(
        default=None, ge=1, description="Who chairs it (a seat holder); default: the caller"
    )


class AttendanceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: int = Field(ge=1)
    status: AttendanceStatusName = Field(
        description="present, remote and proxy count as present; apologies and absent do not"
    )
    proxy_holder_id: int | None = Field(
        default=None, ge=1, description="Who holds the member's proxy (status proxy only)"
    )


class PositionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: int = Field(ge=1, description="A voting member present at the meeting")
    choice: str = Field(min_length=1, max_length=32, description="One of the rule's choices")
    rationale: str = Field(default="", max_length=5000)


class MotionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    text: str = Field(default="", max_length=20_000, description="Markdown")
    rule: str = Field(
        default="cncf-toc-meeting",
        max_length=64,
        description="A meeting rule preset: cncf-toc-meeting or openstack-tc-meeting",
    )
    positions: list[PositionCreate] = Field(
        default_factory=list, max_length=1000, description="The positions of members present"
    )


class AttendanceRead(BaseModel):
    person_id: int
    status: AttendanceStatusName
    proxy_holder_id: int | None
    recorded_at: datetime

    @classmethod
    def of(cls, row: MeetingAttendance) -> AttendanceRead:
        return cls.model_validate(
            {
                "person_id": row.person_id,
                "status": row.status,
                "proxy_holder_id": row.proxy_holder_id,
                "recorded_at": row.recorded_at,
            }
        )


class MotionRead(BaseModel):
    id: int
    meeting_id: int
    title: str
    text: str
    rule: str = Field(description="The rule's name; the whole rule is in the decision log")
    members: int = Field(description="Voting members of the body when it was voted")
    present: list[int] = Field(description="Voting members present")
    positions: dict[str, str] = Field(description="Person id -> choice")
    outcome: Literal["passed", "failed", "no_quorum"]
    tally: dict[str, Any] = Field(description="The explanation, as for ballots")
    decided_at: datetime

    @classmethod
    def of(cls, motion: Motion) -> MotionRead:
        return cls.model_validate(
            {
                "id": motion.id,
                "meeting_id": motion.meeting_id,
                "title": motion.title,
                "text": motion.text,
                "rule": motion.rule_name,
                "members": len(motion.electorate),
                "present": motion.present,
                "positions": motion.positions,
                "outcome": motion.outcome,
                "tally": motion.tally,
                "decided_at": motion.decided_at,
            }
        )


class MeetingSummary(BaseModel):
    id: int
    body: str = Field(description="The body's slug")
    title: str
    scheduled_at: datetime
    public: bool
    proxies_allowed: bool
    chair_id: int
    state: MeetingStateName
    opened_at: datetime | None
    closed_at: datetime | None
    self: str

    @classmethod
    def of(cls, meeting: Meeting, body_slug: str) -> MeetingSummary:
        return cls.model_validate(
            {
                "id": meeting.id,
                "body": body_slug,
                "title": meeting.title,
                "scheduled_at": meeting.scheduled_at,
                "public": meeting.public,
                "proxies_allowed": meeting.proxies_allowed,
                "chair_id": meeting.chair_id,
                "state": meeting.state,
                "opened_at": meeting.opened_at,
                "closed_at": meeting.closed_at,
                "self": f"/api/v1/meetings/{meeting.id}",
            }
        )


class MeetingRead(MeetingSummary):
    attendance: list[AttendanceRead]
    motions: list[MotionRead]

    @classmethod
    def of_view(cls, view: MeetingView) -> MeetingRead:
        summary = MeetingSummary.of(view.meeting, view.body.slug).model_dump()
        return cls.model_validate(
            summary
            | {
                "attendance": [AttendanceRead.of(a).model_dump() for a in view.attendance],
                "motions": [MotionRead.of(m).model_dump() for m in view.motions],
            }
        )
