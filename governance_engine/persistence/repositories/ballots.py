"""Queries over ballots, their frozen electorates and votes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import (
    Ballot,
    BallotElector,
    Body,
    Decision,
    Person,
    Seat,
    Vote,
)


def get(session: Session, ballot_id: int, *, for_update: bool = False) -> Ballot | None:
    return session.get(Ballot, ballot_id, with_for_update=for_update, populate_existing=True)


def electors(session: Session, ballot_id: int, *, active_only: bool = True) -> list[BallotElector]:
    statement = select(BallotElector).where(BallotElector.ballot_id == ballot_id)
    if active_only:
        statement = statement.where(BallotElector.removed_at.is_(None))
    return list(session.scalars(statement.order_by(BallotElector.person_id)))


def elector(session: Session, ballot_id: int, person_id: int) -> BallotElector | None:
    return session.get(BallotElector, (ballot_id, person_id))


def votes(session: Session, ballot_id: int) -> list[Vote]:
    statement = select(Vote).where(Vote.ballot_id == ballot_id).order_by(Vote.voter_id)
    return list(session.scalars(statement))


def vote_of(session: Session, ballot_id: int, voter_id: int) -> Vote | None:
    statement = select(Vote).where(Vote.ballot_id == ballot_id, Vote.voter_id == voter_id)
    return session.scalars(statement).one_or_none()


def voting_members(session: Session, body_id: int, at: datetime) -> list[Person]:
    """People holding a voting seat on the body whose term covers ``at``."""
    statement = (
        select(Person)
        .join(Seat, Seat.person_id == Person.id)
        .where(
            Seat.body_id == body_id,
            Seat.voting.is_(True),
            Seat.term_start <= at,
            or_(Seat.term_end.is_(None), Seat.term_end > at),
            Person.active.is_(True),
        )
        .order_by(Person.id)
        .distinct()
    )
    return list(session.scalars(statement))


def open_ballot_ids(session: Session) -> list[int]:
    statement = select(Ballot.id).where(Ballot.state == "open").order_by(Ballot.deadline, Ballot.id)
    return list(session.scalars(statement))


def page(
    session: Session,
    *,
    after: int,
    limit: int,
    proposal_id: int | None = None,
    state: str | None = None,
    body_id: int | None = None,
) -> list[Ballot]:
    """Ballots in id order after a cursor, with optional filters (one query)."""
    statement = select(Ballot).where(Ballot.id > after)
    if proposal_id is not None:
        statement = statement.where(Ballot.proposal_id == proposal_id)
    if state is not None:
        statement = statement.where(Ballot.state == state)
    if body_id is not None:
        statement = statement.where(Ballot.body_id == body_id)
    return list(session.scalars(statement.order_by(Ballot.id).limit(limit)))


def context_of(session: Session, ballot_ids: list[int]) -> dict[int, tuple[str, str | None]]:
    """Each ballot's body slug and decision number (if closed), in one query."""
    if not ballot_ids:
        return {}
    statement = (
        select(Ballot.id, Body.slug, Decision.number)
        .join(Body, Body.id == Ballot.body_id)
        .outerjoin(Decision, Decision.ballot_id == Ballot.id)
        .where(Ballot.id.in_(ballot_ids))
    )
    return {ballot_id: (slug, number) for ballot_id, slug, number in session.execute(statement)}
