"""Low-level ballot changes shared by the proposal and ballot use cases (no permission checks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Ballot, Proposal


def cancel(
    session: Session,
    ballot: Ballot,
    proposal: Proposal,
    *,
    actor_id: int | None,
    at: datetime,
    reason: str,
) -> None:
    """Mark an open ballot cancelled and log it; the caller has checked who may do this."""
    ballot.state = "cancelled"
    ballot.closed_at = at
    ballot.closed_by_id = actor_id
    ballot.close_reason = reason.strip()[:2000]
    ballot.version += 1
    proposal.version += 1
    proposal.updated_at = at
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor_id,
        action="ballot.cancelled",
        subject_type="ballot",
        subject_id=ballot.id,
        proposal_id=ballot.proposal_id,
        body_id=ballot.body_id,
        payload={"reason": ballot.close_reason},
    )
