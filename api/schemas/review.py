"""Comments, concerns and formal objections on a proposal."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from governance_engine.services.comments import CommentView
from governance_engine.services.concerns import ConcernView
from governance_engine.services.objections import ObjectionView


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000, description="Markdown")
    revision: int | None = Field(
        default=None, ge=1, description="The revision number commented on; default: the current"
    )
    line_start: int | None = Field(
        default=None, ge=1, description="First line of the revision's text commented on (1-based)"
    )
    line_end: int | None = Field(
        default=None, ge=1, description="Last line, inclusive; default: line_start"
    )
    parent_id: int | None = Field(
        default=None,
        ge=1,
        description="Reply to this top-level comment (replies are one level deep)",
    )


class CommentEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000, description="The new text (Markdown)")


class CommentRetract(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000, description="Recorded in the decision log")


class CommentRead(BaseModel):
    id: int
    proposal_id: int
    revision: int = Field(description="The number of the revision it is anchored to")
    parent_id: int | None = Field(description="The comment this one replies to")
    author: int
    body: str | None = Field(
        description="null once retracted: the text then stays only in the decision log"
    )
    line_start: int | None
    line_end: int | None
    created_at: datetime
    edited_at: datetime | None
    retracted: bool = Field(description="The author retracted it")
    retracted_at: datetime | None
    version: int = Field(description="Optimistic-concurrency counter; also the ETag")
    self: str

    @classmethod
    def of(cls, view: CommentView) -> CommentRead:
        comment = view.comment
        return cls(
            id=comment.id,
            proposal_id=comment.proposal_id,
            revision=view.revision,
            parent_id=comment.parent_id,
            author=comment.author_id,
            body=view.body,
            line_start=comment.line_start,
            line_end=comment.line_end,
            created_at=comment.created_at,
            edited_at=comment.edited_at,
            retracted=view.retracted,
            retracted_at=comment.retracted_at,
            version=comment.version,
            self=f"/api/v1/proposals/{comment.proposal_id}/comments/{comment.id}",
        )


ConcernState = Literal["open", "addressed", "resolved"]


class ConcernCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, examples=["Threat model missing"])
    text: str = Field(default="", max_length=20_000, description="Markdown")


class ConcernAddress(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1, max_length=20_000, description="How it was addressed; asks the raiser"
    )


class ConcernResolve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000, description="Recorded in the decision log")


class ConcernRead(BaseModel):
    id: int
    proposal_id: int
    revision: int = Field(description="The number of the revision it was raised on")
    body: str = Field(description="Slug of the reviewing body it was raised in")
    raised_by: int
    raised_by_name: str
    title: str
    text: str
    state: str = Field(description="open, addressed or resolved", examples=["open"])
    blocking: bool = Field(description="true until the raiser resolves it")
    awaiting_raiser: bool = Field(
        description="A chair marked it addressed: it waits for the raiser to resolve it"
    )
    addressed_by: int | None
    addressed_reason: str
    addressed_at: datetime | None
    resolved_at: datetime | None
    created_at: datetime
    self: str

    @classmethod
    def of(cls, view: ConcernView) -> ConcernRead:
        concern = view.concern
        return cls(
            id=concern.id,
            proposal_id=concern.proposal_id,
            revision=view.revision,
            body=view.body,
            raised_by=concern.raised_by_id,
            raised_by_name=view.raised_by_name,
            title=concern.title,
            text=concern.text,
            state=concern.state,
            blocking=view.blocking,
            awaiting_raiser=concern.state == "addressed",
            addressed_by=concern.addressed_by_id,
            addressed_reason=concern.addressed_reason,
            addressed_at=concern.addressed_at,
            resolved_at=concern.resolved_at,
            created_at=concern.created_at,
            self=f"/api/v1/proposals/{concern.proposal_id}/concerns/{concern.id}",
        )


ObjectionState = Literal["open", "upheld", "dismissed", "withdrawn"]


class ObjectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: str = Field(
        max_length=32,
        description="The number of the decision objected to",
        examples=["TOC-2026-007"],
    )
    grounds: str = Field(min_length=1, max_length=20_000, description="Markdown")


class ObjectionWithdraw(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000, description="Recorded in the decision log")


class ObjectionResolve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "dismissed"]
    reasons: str = Field(min_length=1, max_length=20_000, description="Part of the decision")


class ObjectionRead(BaseModel):
    id: int
    proposal_id: int
    decision: str = Field(description="The number of the decision objected to")
    lodged_by: int
    lodged_by_name: str
    deciding_body: str = Field(description="Slug of the body that decides it")
    grounds: str
    state: str = Field(description="open, upheld, dismissed or withdrawn", examples=["open"])
    lodged_at: datetime
    resolution: str = Field(description="The deciding body's reasons, or the withdrawal reason")
    resolution_decision: str | None = Field(description="The number of the deciding decision")
    resolved_at: datetime | None
    self: str

    @classmethod
    def of(cls, view: ObjectionView) -> ObjectionRead:
        objection = view.objection
        return cls(
            id=objection.id,
            proposal_id=objection.proposal_id,
            decision=view.decision,
            lodged_by=objection.lodged_by_id,
            lodged_by_name=view.lodged_by_name,
            deciding_body=view.deciding_body,
            grounds=objection.grounds,
            state=objection.state,
            lodged_at=objection.lodged_at,
            resolution=objection.resolution,
            resolution_decision=view.resolution_decision,
            resolved_at=objection.resolved_at,
            self=f"/api/v1/proposals/{objection.proposal_id}/objections/{objection.id}",
        )
