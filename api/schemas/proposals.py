"""Proposals, their revisions and the actions people may take on them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from governance_engine.persistence.models import Revision
from governance_engine.services.proposals import AvailableAction
from governance_engine.services.reads import ProposalSummary

NAME_PATTERN = r"^[a-z][a-z0-9_-]*$"


class ProposalCreate(BaseModel):
    """Name the ``workflow``, or the ``kind`` alone to file under that kind's default workflow
    (the workflow named after the kind, or else the only one serving it)."""

    model_config = ConfigDict(extra="forbid")

    workflow: str | None = Field(
        default=None,
        max_length=64,
        pattern=NAME_PATTERN,
        description="Name of the workflow to file under (its latest version); see "
        "/api/v1/workflows",
        examples=["standard"],
    )
    kind: str | None = Field(
        default=None,
        max_length=32,
        pattern=NAME_PATTERN,
        description="Proposal kind. Alone, it picks the kind's default workflow; with "
        "`workflow`, it must be the kind that workflow serves",
        examples=["standard"],
    )
    title: str = Field(min_length=1, max_length=300, examples=["Trusted model cards"])
    summary: str = Field(default="", max_length=5000)
    sponsor: str = Field(
        max_length=64,
        description="Slug of the sponsoring working group",
        examples=["wg-trust-validation"],
    )
    text: str | None = Field(
        default=None, max_length=1_000_000, description="Markdown of revision 1, if ready"
    )
    author_ids: list[int] = Field(
        default_factory=list, max_length=50, description="Defaults to the filer"
    )

    @model_validator(mode="after")
    def _names_a_workflow_or_a_kind(self) -> ProposalCreate:
        if self.workflow is None and self.kind is None:
            raise ValueError("name the workflow (or the kind) of the proposal")
        return self


class RevisionRef(BaseModel):
    number: int
    digest: str


class WorkflowRef(BaseModel):
    name: str
    version: int


class ProposalLinks(BaseModel):
    self: str
    actions: str
    revisions: str
    history: str
    ballots: str


class ProposalRead(BaseModel):
    id: int
    kind: str
    title: str
    summary: str
    sponsor: str
    state: str
    workflow: WorkflowRef
    version: int = Field(description="Optimistic-concurrency counter; also the ETag")
    filed_by: int
    authors: list[int]
    current_revision: RevisionRef | None
    created_at: datetime
    updated_at: datetime
    state_entered_at: datetime
    links: ProposalLinks

    @classmethod
    def of(cls, summary: ProposalSummary) -> ProposalRead:
        proposal = summary.proposal
        base = f"/api/v1/proposals/{proposal.id}"
        revision = summary.current_revision
        return cls(
            id=proposal.id,
            kind=proposal.kind,
            title=proposal.title,
            summary=proposal.summary,
            sponsor=summary.sponsor,
            state=proposal.state,
            workflow=WorkflowRef(name=proposal.workflow_name, version=proposal.workflow_version),
            version=proposal.version,
            filed_by=proposal.filed_by_id,
            authors=list(summary.authors),
            current_revision=(
                RevisionRef(number=revision.number, digest=revision.digest) if revision else None
            ),
            created_at=proposal.created_at,
            updated_at=proposal.updated_at,
            state_entered_at=proposal.state_entered_at,
            links=ProposalLinks(
                self=base,
                actions=f"{base}/actions",
                revisions=f"{base}/revisions",
                history=f"{base}/history",
                ballots=f"/api/v1/ballots?proposal_id={proposal.id}",
            ),
        )


class RevisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1_000_000, description="Markdown")
    note: str = Field(default="", max_length=2000, description="What changed")


class RevisionRead(BaseModel):
    number: int
    digest: str = Field(description="SHA-256 of the UTF-8 text")
    note: str
    created_by: int
    created_at: datetime
    text: str

    @classmethod
    def of(cls, revision: Revision) -> RevisionRead:
        return cls(
            number=revision.number,
            digest=revision.digest,
            note=revision.note,
            created_by=revision.created_by_id,
            created_at=revision.created_at,
            text=revision.text,
        )


class ActionRead(BaseModel):
    name: str
    dest: str
    description: str
    ready: bool = Field(description="true when nothing blocks it now")
    blocked_by: list[str] = Field(description="Why it cannot be taken yet, in words")
    override: bool = Field(
        default=False,
        description="true when it can be taken only as the override the workflow declares "
        "(the stage's ballot has not passed): a reason is then required, and the act is logged "
        "as an override",
    )

    @classmethod
    def of(cls, action: AvailableAction) -> ActionRead:
        return cls(
            name=action.name,
            dest=action.dest,
            description=action.description,
            ready=action.ready,
            blocked_by=list(action.blocked_by),
            override=action.override,
        )


class ActionTake(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000, description="Recorded in the decision log")
