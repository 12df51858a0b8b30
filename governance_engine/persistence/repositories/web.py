"""Queries for the pages: browser sessions, failed sign-ins, and a person's dashboard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import (
    Ballot,
    BallotElector,
    Body,
    Person,
    Proposal,
    ProposalAuthor,
    Seat,
    SeatRole,
    SignInFailure,
    Vote,
    WebSession,
)

_CHAIRS = (SeatRole.CHAIR.value, SeatRole.CO_CHAIR.value)


def session_by_hash(session: Session, session_hash: str) -> WebSession | None:
    statement = select(WebSession).where(WebSession.session_hash == session_hash)
    return session.scalars(statement).one_or_none()


def failure_times(session: Session, *, source: str, since: datetime) -> list[datetime]:
    """When sign-ins from ``source`` failed at or after ``since``, oldest first."""
    statement = (
        select(SignInFailure.at)
        .where(SignInFailure.source == source, SignInFailure.at >= since)
        .order_by(SignInFailure.at)
    )
    return list(session.scalars(statement))


def forget_failures(session: Session, *, source: str, before: datetime) -> None:
    """Drop failures from ``source`` too old to count any more, so the table stays small."""
    session.execute(
        delete(SignInFailure).where(SignInFailure.source == source, SignInFailure.at < before)
    )


def ballots_awaiting(session: Session, *, person_id: int, at: datetime) -> list[Ballot]:
    """Open ballots, not yet past their deadline, where the person may vote and has not."""
    voted = exists().where(Vote.ballot_id == Ballot.id, Vote.voter_id == person_id)
    statement = (
        select(Ballot)
        .join(BallotElector, BallotElector.ballot_id == Ballot.id)
        .where(
            Ballot.state == "open",
            Ballot.deadline > at,
            BallotElector.person_id == person_id,
            BallotElector.removed_at.is_(None),
            ~voted,
        )
        .order_by(Ballot.deadline, Ballot.id)
    )
    return list(session.scalars(statement))


def proposals_chaired(
    session: Session, *, person_id: int, at: datetime, limit: int
) -> list[Proposal]:
    """Proposals sponsored by a body the person chairs or co-chairs now."""
    chaired = select(Seat.body_id).where(
        Seat.person_id == person_id,
        Seat.role.in_(_CHAIRS),
        Seat.term_start <= at,
        or_(Seat.term_end.is_(None), Seat.term_end > at),
    )
    statement = (
        select(Proposal)
        .where(Proposal.sponsor_body_id.in_(chaired))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def proposals_written(session: Session, *, person_id: int, limit: int) -> list[Proposal]:
    """Proposals the person is an author of."""
    authored = select(ProposalAuthor.proposal_id).where(ProposalAuthor.person_id == person_id)
    statement = (
        select(Proposal)
        .where(Proposal.id.in_(authored))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def proposals_by_id(session: Session, ids: set[int]) -> dict[int, Proposal]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Proposal).where(Proposal.id.in_(ids)))}


def bodies_by_id(session: Session) -> dict[int, Body]:
    return {body.id: body for body in session.scalars(select(Body).order_by(Body.id))}


def people_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())
