"""Queries behind the public register (``services.public_register`` decides what is public)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, and_, false, not_, or_, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Ballot, Decision, LogEntry, Proposal

PublicStates = Iterable[tuple[str, int, frozenset[str]]]
"""(workflow name, version, states whose proposals are public) for every workflow version."""
Private = Iterable[tuple[str, int]]
"""(workflow name, version) of the workflows kept off the public register."""


def _not_private(private: Private) -> ColumnElement[bool]:
    """The proposal (joined) runs on none of the ``private`` workflow versions."""
    conditions = [
        and_(Proposal.workflow_name == name, Proposal.workflow_version == version)
        for name, version in private
    ]
    return not_(or_(*conditions)) if conditions else Proposal.id.is_not(None)


def decisions(
    session: Session, private: Private, *, before: int | None, limit: int, body_id: int | None
) -> list[Decision]:
    """Decisions on proposals of public workflows, the latest first, before a cursor (an id)."""
    statement = (
        select(Decision)
        .join(Proposal, Proposal.id == Decision.proposal_id)
        .where(_not_private(private))
    )
    if before is not None:
        statement = statement.where(Decision.id < before)
    if body_id is not None:
        statement = statement.where(Decision.body_id == body_id)
    return list(session.scalars(statement.order_by(Decision.id.desc()).limit(limit)))


def decision(session: Session, private: Private, number: str) -> Decision | None:
    statement = (
        select(Decision)
        .join(Proposal, Proposal.id == Decision.proposal_id)
        .where(Decision.number == number, _not_private(private))
    )
    return session.scalars(statement).one_or_none()


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


def _ballots(private: Private) -> Select[Ballot]:
    return (
        select(Ballot)
        .join(Proposal, Proposal.id == Ballot.proposal_id)
        .where(_not_private(private))
    )


def closed_ballots(
    session: Session, private: Private, *, before: int | None, limit: int
) -> list[Ballot]:
    """Closed ballots of public workflows, the latest opened first, before a cursor (an id)."""
    statement = _ballots(private).where(Ballot.state == "closed")
    if before is not None:
        statement = statement.where(Ballot.id < before)
    return list(session.scalars(statement.order_by(Ballot.id.desc()).limit(limit)))


def closed_ballot(session: Session, private: Private, ballot_id: int) -> Ballot | None:
    statement = _ballots(private).where(Ballot.id == ballot_id, Ballot.state == "closed")
    return session.scalars(statement).one_or_none()


def ballots_with_deadlines(session: Session, private: Private, *, limit: int) -> list[Ballot]:
    """Open and closed ballots (not cancelled ones) of public workflows, latest deadline first."""
    statement = (
        _ballots(private)
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
