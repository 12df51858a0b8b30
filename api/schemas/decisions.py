"""The decision register: formal results, numbered per body and year."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from governance_engine.services.ballot_reads import DecisionSummary


class DecisionLinks(BaseModel):
    self: str
    proposal: str
    ballot: str | None = Field(description="The ballot it records; null for a transition")


class DecisionRead(BaseModel):
    number: str = Field(examples=["TOC-2026-007"])
    body: str = Field(description="Slug of the deciding body", examples=["toc"])
    proposal_id: int
    kind: str = Field(description="ballot, transition or objection", examples=["ballot"])
    outcome: str = Field(
        description="passed, failed or no_quorum for a ballot; the final state for a transition",
        examples=["passed"],
    )
    digest: str | None = Field(description="SHA-256 of the revision decided on")
    rule: dict[str, Any] | None = Field(description="The ballot's frozen rule")
    tally: dict[str, Any] = Field(
        description="The explanation at close (counts, quorum, support, in numbers and words); "
        "empty for a transition. Secret ballots' tallies are published once they close."
    )
    summary: str
    decided_at: datetime
    ballot_id: int | None
    links: DecisionLinks

    @classmethod
    def of(cls, summary: DecisionSummary) -> DecisionRead:
        decision = summary.decision
        return cls(
            number=decision.number,
            body=summary.body,
            proposal_id=decision.proposal_id,
            kind=decision.kind,
            outcome=decision.outcome,
            digest=decision.digest,
            rule=decision.rule,
            tally=summary.tally,
            summary=decision.summary,
            decided_at=decision.decided_at,
            ballot_id=decision.ballot_id,
            links=DecisionLinks(
                self=f"/api/v1/decisions/{decision.number}",
                proposal=f"/api/v1/proposals/{decision.proposal_id}",
                ballot=(
                    f"/api/v1/ballots/{decision.ballot_id}"
                    if decision.ballot_id is not None
                    else None
                ),
            ),
        )
