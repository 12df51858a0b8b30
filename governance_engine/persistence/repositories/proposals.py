"""Queries over proposals, their authors, revisions, stored workflow versions and ballots."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import (
    Ballot,
    LogEntry,
    Proposal,
    ProposalAuthor,
    Revision,
    WorkflowVersion,
)
from governance_engine.persistence.repositories import review


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


def workflow_registration(session: Session, subject_id: str) -> str | None:
    """The digest the first ``workflow.registered`` entry for ``subject_id`` logged, if any.

    Few entries have this action (one per workflow version ever used), so the action's
    index keeps this cheap however long the log is.
    """
    statement = (
        select(LogEntry.payload)
        .where(
            LogEntry.action == "workflow.registered",
            LogEntry.subject_type == "workflow",
            LogEntry.subject_id == subject_id,
        )
        .order_by(LogEntry.seq)
        .limit(1)
    )
    payload = session.scalars(statement).first()
    return None if payload is None else str(payload.get("digest"))


def all_workflow_versions(session: Session) -> list[WorkflowVersion]:
    statement = select(WorkflowVersion).order_by(WorkflowVersion.name, WorkflowVersion.version)
    return list(session.scalars(statement))


def page(
    session: Session,
    *,
    after: int,
    limit: int,
    state: str | None = None,
    kind: str | None = None,
    sponsor_body_id: int | None = None,
    author_id: int | None = None,
    text: str | None = None,
    newest_first: bool = False,
) -> list[Proposal]:
    """Proposals in id order after a cursor, with optional filters (one query).

    ``text``: full-text search over titles, summaries and comments (``review.search_condition``).
    ``newest_first``: the latest first, and ``after`` (when not 0) is the last id already seen.
    """
    statement = select(Proposal)
    if newest_first:
        statement = statement.where(Proposal.id < after) if after else statement
    else:
        statement = statement.where(Proposal.id > after)
    if text is not None:
        statement = statement.where(review.search_condition(session, text))
    if state is not None:
        statement = statement.where(Proposal.state == state)
    if kind is not None:
        statement = statement.where(Proposal.kind == kind)
    if sponsor_body_id is not None:
        statement = statement.where(Proposal.sponsor_body_id == sponsor_body_id)
    if author_id is not None:
        statement = statement.where(
            Proposal.id.in_(
                select(ProposalAuthor.proposal_id).where(ProposalAuthor.person_id == author_id)
            )
        )
    order = Proposal.id.desc() if newest_first else Proposal.id
    return list(session.scalars(statement.order_by(order).limit(limit)))


def authors_of(session: Session, proposal_ids: list[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {pid: [] for pid in proposal_ids}
    if not proposal_ids:
        return result
    statement = (
        select(ProposalAuthor.proposal_id, ProposalAuthor.person_id)
        .where(ProposalAuthor.proposal_id.in_(proposal_ids))
        .order_by(ProposalAuthor.proposal_id, ProposalAuthor.person_id)
    )
    for proposal_id, person_id in session.execute(statement):
        result[proposal_id].append(person_id)
    return result


def current_revisions_of(session: Session, proposal_ids: list[int]) -> dict[int, Revision]:
    """The latest revision of each proposal, in one query."""
    if not proposal_ids:
        return {}
    latest = (
        select(Revision.proposal_id, func.max(Revision.number).label("number"))
        .where(Revision.proposal_id.in_(proposal_ids))
        .group_by(Revision.proposal_id)
        .subquery()
    )
    statement = select(Revision).join(
        latest,
        (Revision.proposal_id == latest.c.proposal_id) & (Revision.number == latest.c.number),
    )
    return {revision.proposal_id: revision for revision in session.scalars(statement)}


def ballots_of(session: Session, proposal_id: int) -> list[Ballot]:
    statement = select(Ballot).where(Ballot.proposal_id == proposal_id).order_by(Ballot.id)
    return list(session.scalars(statement))
