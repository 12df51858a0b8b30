"""What a decision record is assembled from: the decision, its ballot, votes and log range."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import (
    Body,
    Decision,
    LogEntry,
    Person,
    Proposal,
    Revision,
)


def decision_with_context(session: Session, number: str) -> tuple[Decision, Body, Proposal] | None:
    statement = (
        select(Decision, Body, Proposal)
        .join(Body, Body.id == Decision.body_id)
        .join(Proposal, Proposal.id == Decision.proposal_id)
        .where(Decision.number == number)
    )
    row = session.execute(statement).first()
    return None if row is None else (row[0], row[1], row[2])


def revision_by_digest(session: Session, proposal_id: int, digest: str) -> Revision | None:
    statement = select(Revision).where(
        Revision.proposal_id == proposal_id, Revision.digest == digest
    )
    return session.scalars(statement.order_by(Revision.number.desc())).first()


def people_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


def evidence_range(
    session: Session, *, ballot_id: int | None, number: str
) -> tuple[LogEntry, LogEntry] | None:
    """The first and last log entries a decision rests on (its ballot's, through its record)."""
    conditions = [(LogEntry.subject_type == "decision") & (LogEntry.subject_id == number)]
    if ballot_id is not None:
        conditions.append(
            (LogEntry.subject_type == "ballot") & (LogEntry.subject_id == str(ballot_id))
        )
    bounds = session.execute(
        select(func.min(LogEntry.seq), func.max(LogEntry.seq)).where(or_(*conditions))
    ).one()
    if bounds[0] is None:
        return None
    first, last = session.get(LogEntry, bounds[0]), session.get(LogEntry, bounds[1])
    assert first is not None
    assert last is not None
    return first, last
