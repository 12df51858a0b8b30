"""The decision register: formal results with a number per body and year (``TOC-2026-007``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Body, BodyKind, Decision, Proposal
from governance_engine.persistence.repositories import decisions as queries


def number_prefix(body: Body) -> str:
    if body.kind == BodyKind.WORKING_GROUP:
        slug = body.slug.removeprefix("wg-")
        return f"WG-{slug.upper()}"
    return body.slug.upper()


def record_decision(
    session: Session,
    *,
    at: datetime,
    actor_id: int | None,
    body: Body,
    proposal: Proposal,
    kind: str,
    outcome: str,
    summary: str,
    tally: dict[str, Any] | None = None,
    rule: dict[str, Any] | None = None,
    digest: str | None = None,
    ballot_id: int | None = None,
) -> Decision:
    """Number and store a decision, and log it, in the caller's unit of work."""
    log_writer.lock_head(session)  # numbers are allocated one writer at a time
    serial = queries.last_serial(session, body_id=body.id, year=at.year) + 1
    decision = Decision(
        number=f"{number_prefix(body)}-{at.year}-{serial:03d}",
        body_id=body.id,
        year=at.year,
        serial=serial,
        kind=kind,
        proposal_id=proposal.id,
        ballot_id=ballot_id,
        outcome=outcome,
        digest=digest,
        rule=rule,
        tally=tally or {},
        summary=summary,
        decided_at=at,
    )
    session.add(decision)
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor_id,
        action="decision.recorded",
        subject_type="decision",
        subject_id=decision.number,
        proposal_id=proposal.id,
        body_id=body.id,
        payload={
            "number": decision.number,
            "kind": kind,
            "outcome": outcome,
            "ballot_id": ballot_id,
            "digest": digest,
            "summary": summary,
        },
    )
    return decision
