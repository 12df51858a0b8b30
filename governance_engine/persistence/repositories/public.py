"""Queries behind the public register (``services.public_register`` decides what is public)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Ballot, LogEntry, Proposal

PublicStates = Iterable[tuple[str, int, frozenset[str]]]
"""(workflow name, version, states whose proposals are public) for every workflow version."""


def _in_public_state(public: PublicStates) -> ColumnElement[bool]:
    conditions = [
        and_(
            Proposal.workflow_name == name,
            Proposal.workflow_version == version,
            Proposal.state.in_(sorted(states)),
        )
        for name, version, states in public
        if states
    ]
    return or_(*conditions) if conditions else false()


def proposals_in_public_states(
    session: Session, public: PublicStates, *, before: int | None, limit: int
) -> list[Proposal]:
    """Proposals whose current state is public, newest first, before a cursor (an id)."""
    statement = select(Proposal).where(_in_public_state(public))
    if before is not None:
        statement = statement.where(Proposal.id < before)
    return list(session.scalars(statement.order_by(Proposal.id.desc()).limit(limit)))


def proposal_if_public(session: Session, public: PublicStates, proposal_id: int) -> Proposal | None:
    statement = select(Proposal).where(Proposal.id == proposal_id, _in_public_state(public))
    return session.scalars(statement).one_or_none()


def closed_ballots(session: Session, *, before: int | None, limit: int) -> list[Ballot]:
    """Closed ballots, the latest opened first, before a cursor (an id)."""
    statement = select(Ballot).where(Ballot.state == "closed")
    if before is not None:
        statement = statement.where(Ballot.id < before)
    return list(session.scalars(statement.order_by(Ballot.id.desc()).limit(limit)))


def ballots_with_deadlines(session: Session, *, limit: int) -> list[Ballot]:
    """Open and closed ballots (not cancelled ones), latest deadline first."""
    statement = (
        select(Ballot)
        .where(Ballot.state.in_(("open", "closed")))
        .order_by(Ballot.deadline.desc(), Ballot.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def decision_entry(session: Session, number: str) -> LogEntry | None:
    """The log entry that recorded decision ``number``."""
    statement = select(LogEntry).where(
        LogEntry.action == "decision.recorded",
        LogEntry.subject_type == "decision",
        LogEntry.subject_id == number,
    )
    return session.scalars(statement.order_by(LogEntry.seq).limit(1)).first()
