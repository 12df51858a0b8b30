"""Queries over ballots, their frozen electorates and votes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from governance_engine.persistence.models import (
    Ballot,
    BallotElector,
    Base,
    Body,
    Decision,
    Person,
    Seat,
    Vote,
    table_of,
)

# Casting a vote is the hottest write there is, so its statements are Core, built once.
# Voters on one ballot do not exclude each other: each share-locks the ballot's row and locks
# its own elector row, and nobody's vote writes the ballot's row. At SERIALIZABLE two voters
# can still conflict through PostgreSQL's predicate locks, which cover whole index pages (the
# voters' rows in ``votes`` and ``ballot_electors`` often share one), and every writer still
# moves the log head; both are re-run by the retry policy (``persistence.retry``). A close
# that read the votes while a voter wrote one is a true conflict: one of the two is re-run.
_ballots = table_of(Ballot)
_electors = table_of(BallotElector)
_votes = table_of(Vote)
_LOCK_FOR_VOTE = (
    select(
        _ballots.c.id,
        _ballots.c.proposal_id,
        _ballots.c.body_id,
        _ballots.c.state,
        _ballots.c.deadline,
        _ballots.c.secret,
        _ballots.c.rule,
    )
    .where(_ballots.c.id == bindparam("ballot"))
    # A shared lock: voters do not wait for each other, while closing, cancelling or amending
    # (which lock the row FOR UPDATE) wait for the votes under way and exclude new ones.
    .with_for_update(read=True)
)
# One voter at a time per position: the elector's row is locked (FOR NO KEY UPDATE, which
# still lets the vote's foreign key share it) before the vote is read.
_LOCK_ELECTOR = (
    select(_electors.c.person_id)
    .where(
        _electors.c.ballot_id == bindparam("ballot"), _electors.c.person_id == bindparam("voter")
    )
    .with_for_update(key_share=True)
)
# Read after the elector's lock is held, in its own statement, so that under READ COMMITTED
# it sees a vote committed by whoever held the lock before.
_ELECTOR_AND_VOTE = (
    select(
        _electors.c.removed_at,
        _votes.c.id,
        _votes.c.choice,
        _votes.c.rationale,
        _votes.c.cast_at,
        _votes.c.changes,
        _votes.c.entered_by_id,
    )
    .select_from(
        _electors.outerjoin(
            _votes,
            and_(
                _votes.c.ballot_id == _electors.c.ballot_id,
                _votes.c.voter_id == _electors.c.person_id,
            ),
        )
    )
    .where(
        _electors.c.ballot_id == bindparam("ballot"), _electors.c.person_id == bindparam("voter")
    )
)
_INSERT_VOTE = insert(_votes).values(
    ballot_id=bindparam("ballot"),
    voter_id=bindparam("voter"),
    choice=bindparam("new_choice"),
    rationale=bindparam("new_rationale"),
    entered_by_id=bindparam("entered_by"),
    cast_at=bindparam("at"),
    updated_at=bindparam("at"),
    changes=0,
)
_CHANGE_VOTE = (
    update(_votes)
    .where(_votes.c.id == bindparam("vote"))
    .values(
        choice=bindparam("new_choice"),
        rationale=bindparam("new_rationale"),
        entered_by_id=bindparam("entered_by"),
        updated_at=bindparam("at"),
        changes=_votes.c.changes + 1,
    )
)


@dataclass(frozen=True, slots=True)
class BallotForVote:
    """What casting a vote needs of a ballot, read under the ballot row's lock."""

    id: int
    proposal_id: int
    body_id: int
    state: str
    deadline: datetime
    secret: bool
    rule: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StandingVote:
    """A voter's current position, as read before it is changed."""

    id: int
    choice: str
    rationale: str
    cast_at: datetime
    changes: int
    entered_by_id: int
    """Who entered the position: the voter, or a secretary by proxy."""


@dataclass(frozen=True, slots=True)
class ElectorForVote:
    """Whether a person may vote on a ballot (``removed``), and their current vote if any."""

    removed: bool
    vote: StandingVote | None


def lock_for_vote(session: Session, ballot_id: int) -> BallotForVote | None:
    """Share-lock the ballot's row (to the end of the unit of work); read what a vote needs."""
    row = session.connection().execute(_LOCK_FOR_VOTE, {"ballot": ballot_id}).first()
    return None if row is None else BallotForVote(*row)


def elector_for_vote(session: Session, ballot_id: int, voter_id: int) -> ElectorForVote | None:
    """The voter's place in the ballot's electorate and their vote; None if not an elector.

    Locks the elector's row first, so that two votes of one voter run one after the other.
    """
    parameters = {"ballot": ballot_id, "voter": voter_id}
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK_ELECTOR, parameters)
    row = connection.execute(_ELECTOR_AND_VOTE, parameters).first()
    if row is None:
        return None
    removed_at, vote_id, choice, rationale, cast_at, changes, entered_by_id = row
    standing = (
        None
        if vote_id is None
        else StandingVote(vote_id, choice, rationale, cast_at, changes, entered_by_id)
    )
    return ElectorForVote(removed=removed_at is not None, vote=standing)


def record_vote(
    session: Session,
    *,
    ballot_id: int,
    voter_id: int,
    entered_by_id: int,
    choice: str,
    rationale: str,
    at: datetime,
    standing: StandingVote | None,
) -> None:
    """Insert or change the vote; the ballot's row is not written (its ``current_version``
    counts votes from the votes themselves).

    ORM copies of the ballot or the vote already in the session are expired, so the unit of
    work never reads them stale.
    """
    connection = session.connection()
    values = {
        "ballot": ballot_id,
        "voter": voter_id,
        "new_choice": choice,
        "new_rationale": rationale,
        "entered_by": entered_by_id,
        "at": at,
    }
    if standing is None:
        connection.execute(_INSERT_VOTE, values)
    else:
        connection.execute(_CHANGE_VOTE, values | {"vote": standing.id})
    _expire_if_loaded(session, Ballot, ballot_id)
    if standing is not None:
        _expire_if_loaded(session, Vote, standing.id)


def _expire_if_loaded(session: Session, model: type[Base], ident: int) -> None:
    loaded = session.identity_map.get(identity_key(model, ident))
    if loaded is not None:
        session.expire(loaded)


def get(session: Session, ballot_id: int, *, for_update: bool = False) -> Ballot | None:
    """The ballot; with ``for_update``, locked, and its vote count read once the lock is held.

    The lock waits for votes under way (they share-lock the row); the count in the locking
    statement was taken before that wait, so under READ COMMITTED it is read again.
    """
    ballot = session.get(Ballot, ballot_id, with_for_update=for_update, populate_existing=True)
    if ballot is not None and for_update:
        session.refresh(ballot, ["vote_revisions"])
    return ballot


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


def secret_ids(session: Session, ballot_ids: list[int]) -> set[int]:
    """Which of these ballots are secret, in one query."""
    if not ballot_ids:
        return set()
    statement = select(Ballot.id).where(Ballot.id.in_(ballot_ids), Ballot.secret.is_(True))
    return set(session.scalars(statement))


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
