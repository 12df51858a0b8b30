"""Ballots, the positions cast on them, and what a person may see of their tally."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from api.schemas.review import ConcernRead
from governance_engine.services.ballot_reads import BallotDetail, BallotSummary
from governance_engine.services.ballot_views import VoteView
from governance_engine.services.ballots import MAX_RATIONALE, CastVote, ClosedBallot

PersonId = Annotated[int, Field(ge=1)]


class BallotOpen(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"proposal_id": 42},
                {"proposal_id": 42, "deadline": "2026-03-16T17:00:00Z", "proposal_version": 3},
            ]
        },
    )

    proposal_id: int = Field(
        ge=1, description="The proposal whose current stage calls for a vote", examples=[42]
    )
    deadline: AwareDatetime | None = Field(
        default=None,
        description="Timezone-aware; defaults to the opening time plus the rule's duration",
        examples=["2026-03-16T17:00:00Z"],
    )
    proposal_version: int | None = Field(
        default=None,
        ge=1,
        description="The proposal's version (its ETag) you last read; 412 when it has changed",
        examples=[3],
    )


class VoteCast(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"choice": "yes"},
                {"choice": "recuse", "rationale": "I co-wrote the text"},
                {"choice": "no", "rationale": "Not ready", "on_behalf_of": 17},
            ]
        },
    )

    choice: str = Field(
        min_length=1, max_length=32, description="One of the rule's choices", examples=["yes"]
    )
    rationale: str = Field(
        default="",
        max_length=MAX_RATIONALE,
        description="Required for blocking choices and recusal",
        examples=["The conformance section is testable as written."],
    )
    on_behalf_of: int | None = Field(
        default=None,
        ge=1,
        description="A member's person id: a proxy vote, entered by the body's secretary",
        examples=[17],
    )


class BallotCancel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "opened on the wrong revision"}]}
    )

    reason: str = Field(
        min_length=1,
        max_length=2000,
        description="Recorded in the decision log",
        examples=["opened on the wrong revision"],
    )


class ElectorateAmend(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"add": [12], "remove": [7], "reason": "term on the working group ended"}]
        },
    )

    add: list[PersonId] = Field(
        default_factory=list,
        max_length=100,
        description="People whose voting seat on the body began after the ballot opened",
        examples=[[12]],
    )
    remove: list[PersonId] = Field(
        default_factory=list,
        max_length=100,
        description="Electors whose seat ended; their position stops counting",
        examples=[[7]],
    )
    reason: str = Field(min_length=1, max_length=2000, examples=["term on the working group ended"])


class BallotLinks(BaseModel):
    self: str
    votes: str
    proposal: str
    decision: str | None = Field(description="The decision recorded at close; null until then")


class _BallotFields(BaseModel):
    id: int
    proposal_id: int
    body: str = Field(description="Slug of the voting body", examples=["wg-trust-validation"])
    stage: str = Field(description="The proposal state the ballot decides", examples=["wg_review"])
    digest: str = Field(description="SHA-256 of the revision voted on")
    rule_name: str = Field(examples=["simple-majority"])
    secret: bool
    state: str = Field(examples=["open"], description="open, closed or cancelled")
    outcome: str | None = Field(description="passed, failed or no_quorum once closed")
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None
    version: int = Field(description="Optimistic-concurrency counter; also the ETag")
    links: BallotLinks


def _ballot_fields(summary: BallotSummary) -> dict[str, Any]:
    ballot = summary.ballot
    base = f"/api/v1/ballots/{ballot.id}"
    decision = f"/api/v1/decisions/{summary.decision}" if summary.decision else None
    return {
        "id": ballot.id,
        "proposal_id": ballot.proposal_id,
        "body": summary.body,
        "stage": ballot.stage,
        "digest": ballot.digest,
        "rule_name": ballot.rule_name,
        "secret": ballot.secret,
        "state": ballot.state,
        "outcome": ballot.outcome,
        "opened_at": ballot.opened_at,
        "deadline": ballot.deadline,
        "closed_at": ballot.closed_at,
        "version": ballot.current_version,
        "links": BallotLinks(
            self=base,
            votes=f"{base}/votes",
            proposal=f"/api/v1/proposals/{ballot.proposal_id}",
            decision=decision,
        ),
    }


class BallotRead(_BallotFields):
    @classmethod
    def of(cls, summary: BallotSummary) -> BallotRead:
        return cls(**_ballot_fields(summary))


class VoteRead(BaseModel):
    """A position as the reader may see it: on a secret ballot only the reader's own choice."""

    voter_id: int
    choice: str | None = Field(description="null where secrecy hides it")
    rationale: str | None
    entered_by: int | None = Field(description="Differs from voter_id for a proxy vote")
    updated_at: datetime
    hidden: bool = Field(description="true when secrecy hides how this person voted")

    @classmethod
    def of(cls, view: VoteView) -> VoteRead:
        return cls(
            voter_id=view.voter_id,
            choice=view.choice,
            rationale=view.rationale,
            entered_by=view.entered_by_id,
            updated_at=view.updated_at,
            hidden=view.choice is None,
        )


class VoteRecorded(BaseModel):
    """The position just cast or changed; earlier positions stay in the decision log."""

    ballot_id: int
    voter_id: int
    choice: str
    rationale: str
    entered_by: int
    proxy: bool = Field(description="true when the secretary entered it for the voter")
    cast_at: datetime
    updated_at: datetime
    changes: int = Field(description="How many times the voter changed position")

    @classmethod
    def of(cls, vote: CastVote) -> VoteRecorded:
        return cls(
            ballot_id=vote.ballot_id,
            voter_id=vote.voter_id,
            choice=vote.choice,
            rationale=vote.rationale,
            entered_by=vote.entered_by_id,
            proxy=vote.entered_by_id != vote.voter_id,
            cast_at=vote.cast_at,
            updated_at=vote.updated_at,
            changes=vote.changes,
        )


class ExplanationRead(BaseModel):
    """The numbers behind the evaluation, and the same in words."""

    counts: dict[str, int] = Field(description="Positions per choice")
    electorate: int
    voted: int
    not_voted: int
    recused: int
    counted_base: int
    quorum_required: int
    quorum_present: int
    support: int
    against: int
    support_required: int
    standing_blocks: list[int] = Field(description="Voters whose block stands")
    missing: list[str] = Field(
        description="What it still needs to pass",
        examples=[["needs 2 more support (Yes) from the 3 who have not voted"]],
    )
    lines: list[str]
    ignored: list[int]


class EvaluationRead(BaseModel):
    outcome: str | None = Field(description="The result if it closed now; null when cancelled")
    settled: bool = Field(description="Nothing those who have not voted do can change it")
    may_close: bool = Field(description="The rule lets it close now")
    explanation: ExplanationRead


class BallotDetailRead(_BallotFields):
    rule: dict[str, Any] = Field(description="The rule as frozen when the ballot opened")
    rule_description: str = Field(description="The rule in words")
    opened_by: int
    closed_by: int | None = Field(description="null when the system closed it")
    close_reason: str
    electorate: list[int] = Field(description="Person ids who may vote")
    voted: list[int] = Field(description="Person ids who have voted")
    votes: list[VoteRead]
    tally_visible: bool = Field(
        description="false while a secret ballot is open (except to auditors)"
    )
    evaluation: EvaluationRead | None = Field(description="null when the tally is hidden")
    turnout: dict[str, Any] = Field(
        description="Electorate, voted, not voted and quorum required: visible even while a "
        "secret ballot hides its tally"
    )
    own_vote: VoteRead | None = Field(description="The reader's own position, if any")
    standing_concerns: list[ConcernRead] = Field(
        description="The proposal's concerns not yet resolved by their raisers; one raised "
        "while the ballot is open does not change the ballot"
    )

    @classmethod
    def of(cls, detail: BallotDetail) -> BallotDetailRead:
        view, ballot = detail.view, detail.summary.ballot
        return cls(
            **_ballot_fields(detail.summary),
            rule=ballot.rule,
            rule_description=view.rule_description,
            opened_by=ballot.opened_by_id,
            closed_by=ballot.closed_by_id,
            close_reason=ballot.close_reason,
            electorate=list(view.electorate),
            voted=list(view.voted),
            votes=[VoteRead.of(vote) for vote in view.votes],
            tally_visible=view.tally_visible,
            evaluation=(
                EvaluationRead.model_validate(view.evaluation) if view.evaluation else None
            ),
            turnout=view.turnout,
            own_vote=VoteRead.of(view.own_vote) if view.own_vote else None,
            standing_concerns=[ConcernRead.of(concern) for concern in view.standing_concerns],
        )


class DecisionRef(BaseModel):
    number: str = Field(examples=["WG-TRUST-VALIDATION-2026-001"])
    link: str


class BallotClosedRead(BaseModel):
    ballot: BallotDetailRead
    decision: DecisionRef
    action: str | None = Field(
        description="The workflow action fired for the outcome, if any", examples=["ratify"]
    )
    action_error: str | None = Field(
        description="Why the outcome's action could not be fired (the result stands)"
    )

    @classmethod
    def of(cls, closed: ClosedBallot, detail: BallotDetail) -> BallotClosedRead:
        number = closed.decision.number
        return cls(
            ballot=BallotDetailRead.of(detail),
            decision=DecisionRef(number=number, link=f"/api/v1/decisions/{number}"),
            action=closed.action,
            action_error=closed.action_error,
        )
