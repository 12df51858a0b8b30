"""What the pages show a person about themselves: their seats, the ballots awaiting their
vote, the proposals they chair or wrote; and display names for the ids read models carry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.persistence.models import Ballot, Body, Proposal
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import web as queries
from governance_engine.services.identity import Actor

LIST_LIMIT = 50


@dataclass(frozen=True)
class SeatLine:
    body: Body
    role: str
    voting: bool


@dataclass(frozen=True)
class AwaitingBallot:
    ballot: Ballot
    proposal: Proposal
    body: Body


@dataclass(frozen=True)
class ProposalLine:
    proposal: Proposal
    sponsor: Body


@dataclass(frozen=True)
class Dashboard:
    seats: tuple[SeatLine, ...]
    awaiting: tuple[AwaitingBallot, ...]  # soonest deadline first
    chaired: tuple[ProposalLine, ...]  # sponsored by a body they chair
    written: tuple[ProposalLine, ...]  # they are an author


def dashboard(session: Session, *, actor: Actor, at: datetime) -> Dashboard:
    if actor.person_id is None:
        return Dashboard((), (), (), ())
    person_id = actor.person_id
    bodies = queries.bodies_by_id(session)
    seats = tuple(
        SeatLine(body, seat.role, seat.voting)
        for seat, body in directory.active_seats_with_bodies(session, person_id=person_id, at=at)
    )
    ballots = queries.ballots_awaiting(session, person_id=person_id, at=at)
    proposals = queries.proposals_by_id(session, {ballot.proposal_id for ballot in ballots})
    awaiting = tuple(
        AwaitingBallot(ballot, proposals[ballot.proposal_id], bodies[ballot.body_id])
        for ballot in ballots
    )

    def lines(rows: Iterable[Proposal]) -> tuple[ProposalLine, ...]:
        return tuple(ProposalLine(row, bodies[row.sponsor_body_id]) for row in rows)

    chaired = queries.proposals_chaired(session, person_id=person_id, at=at, limit=LIST_LIMIT)
    written = queries.proposals_written(session, person_id=person_id, limit=LIST_LIMIT)
    return Dashboard(seats, awaiting, lines(chaired), lines(written))


def names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names by person id, for the ids that are not None."""
    return queries.people_names(session, {i for i in ids if i is not None})


def bodies(session: Session) -> dict[int, Body]:
    """Every body by id (there are a handful)."""
    return queries.bodies_by_id(session)


def titles(session: Session, proposal_ids: Iterable[int]) -> dict[int, str]:
    """Proposal titles by id, for lists that carry only the ids."""
    found = queries.proposals_by_id(session, set(proposal_ids))
    return {proposal_id: proposal.title for proposal_id, proposal in found.items()}


def seat_roles(session: Session, *, actor: Actor, body_id: int, at: datetime) -> frozenset[str]:
    """The roles of the seats a person holds on one body now: to offer only the forms that
    apply (the services decide what is allowed)."""
    if actor.person_id is None:
        return frozenset()
    seats = directory.active_seats(session, at=at, person_id=actor.person_id, body_id=body_id)
    return frozenset(seat.role for seat in seats)
