"""Queries over proposals, their authors, revisions, stored workflow versions and ballots."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import (
    Ballot,
    Proposal,
    ProposalAuthor,
    Revision,
    WorkflowVersion,
)


def get(session: Session, proposal_id: int, *, for_update: bool = False) -> Proposal | None:
    """The proposal; ``for_update`` locks its row (PostgreSQL) until the unit of work ends."""
    return session.get(Proposal, proposal_id, with_for_update=for_update, populate_existing=True)


def author_ids(session: Session, proposal_id: int) -> set[int]:
    statement = select(ProposalAuthor.person_id).where(ProposalAuthor.proposal_id == proposal_id)
    return set(session.scalars(statement))


def current_revision(session: Session, proposal_id: int) -> Revision | None:
    statement = (
        select(Revision)
        .where(Revision.proposal_id == proposal_id)
        .order_by(Revision.number.desc())
        .limit(1)
    )
    return session.scalars(statement).first()


def revision_count(session: Session, proposal_id: int) -> int:
    statement = select(func.count()).where(Revision.proposal_id == proposal_id)
    return int(session.scalar(statement) or 0)


def revisions(session: Session, proposal_id: int) -> list[Revision]:
    statement = (
        select(Revision).where(Revision.proposal_id == proposal_id).order_by(Revision.number)
    )
    return list(session.scalars(statement))


def open_ballot(session: Session, proposal_id: int) -> Ballot | None:
    statement = select(Ballot).where(Ballot.proposal_id == proposal_id, Ballot.state == "open")
    return session.scalars(statement).first()


def closed_ballots_on_digest(session: Session, proposal_id: int, digest: str) -> list[Ballot]:
    """Closed ballots on one revision text, oldest first (the last one per body counts)."""
    statement = (
        select(Ballot)
        .where(Ballot.proposal_id == proposal_id, Ballot.digest == digest, Ballot.state == "closed")
        .order_by(Ballot.closed_at, Ballot.id)
    )
    return list(session.scalars(statement))


def workflow_version(session: Session, name: str, version: int) -> WorkflowVersion | None:
    statement = select(WorkflowVersion).where(
        WorkflowVersion.name == name, WorkflowVersion.version == version
    )
    return session.scalars(statement).one_or_none()


def all_workflow_versions(session: Session) -> list[WorkflowVersion]:
    statement = select(WorkflowVersion).order_by(WorkflowVersion.name, WorkflowVersion.version)
    return list(session.scalars(statement))
