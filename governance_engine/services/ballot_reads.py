"""Read models for the ballot list and the decision register: batched queries, one per page.

Anyone signed in may read ballots and decisions. What secrecy hides of one ballot (choices,
and the tally while a secret ballot is open) is decided in ``ballot_views``; a decision only
exists once its ballot closed, when the tally is published (DESIGN §5), so the register shows
every tally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from governance_engine.errors import NotFound
from governance_engine.persistence.models import Ballot, Decision
from governance_engine.persistence.repositories import ballots as ballot_queries
from governance_engine.persistence.repositories import decisions as decision_queries
from governance_engine.persistence.repositories import directory
from governance_engine.services.ballot_views import BallotView, view_ballot
from governance_engine.services.ballots import get_ballot
from governance_engine.services.identity import Actor
from governance_engine.services.records import published_tally


@dataclass(frozen=True)
class BallotSummary:
    ballot: Ballot
    body: str  # the voting body's slug
    decision: str | None  # the number of the decision its close recorded


@dataclass(frozen=True)
class BallotDetail:
    summary: BallotSummary
    view: BallotView  # what this viewer may see of it


@dataclass(frozen=True)
class DecisionSummary:
    decision: Decision
    body: str  # the deciding body's slug
    secret: bool = False  # decided by a secret ballot: its tally names no voter

    @property
    def tally(self) -> dict[str, Any]:
        """The tally as the register publishes it."""
        return published_tally(self.decision.tally, secret=self.secret)


def _body_slugs(session: Session) -> dict[int, str]:
    return {body.id: body.slug for body in directory.all_bodies(session)}


def _ballot_summaries(session: Session, rows: list[Ballot]) -> list[BallotSummary]:
    context = ballot_queries.context_of(session, [ballot.id for ballot in rows])
    return [BallotSummary(ballot, *context[ballot.id]) for ballot in rows]


def list_ballots(
    session: Session,
    *,
    after: int,
    limit: int,
    proposal_id: int | None = None,
    state: str | None = None,
    body: str | None = None,
) -> list[BallotSummary]:
    """Ballots in the order they were opened, optionally of one proposal, state or body."""
    body_id = None
    if body is not None:
        found = directory.body_by_slug(session, body)
        if found is None:
            return []
        body_id = found.id
    rows = ballot_queries.page(
        session,
        after=after,
        limit=limit,
        proposal_id=proposal_id,
        state=state,
        body_id=body_id,
    )
    return _ballot_summaries(session, rows)


def ballot_summary(session: Session, ballot_id: int) -> BallotSummary:
    return _ballot_summaries(session, [get_ballot(session, ballot_id)])[0]


def ballot_detail(session: Session, *, viewer: Actor, ballot_id: int, at: datetime) -> BallotDetail:
    """One ballot with what ``viewer`` may see of its votes and tally at ``at``."""
    view = view_ballot(session, viewer=viewer, ballot_id=ballot_id, at=at)
    return BallotDetail(_ballot_summaries(session, [view.ballot])[0], view)


def list_decisions(
    session: Session,
    *,
    after: int,
    limit: int,
    body: str | None = None,
    proposal_id: int | None = None,
    kind: str | None = None,
    outcome: str | None = None,
    newest_first: bool = False,
    text: str | None = None,
) -> list[DecisionSummary]:
    """The register in the order decisions were recorded (or the latest first), filtered;
    ``text`` finds a decision by number, or by the proposals' search."""
    if text is not None and not text.strip():
        text = None
    body_id = None
    if body is not None:
        found = directory.body_by_slug(session, body)
        if found is None:
            return []
        body_id = found.id
    rows = decision_queries.page(
        session,
        after=after,
        limit=limit,
        body_id=body_id,
        proposal_id=proposal_id,
        kind=kind,
        outcome=outcome,
        newest_first=newest_first,
        text=text,
    )
    slugs = _body_slugs(session)
    secret = ballot_queries.secret_ids(session, [d.ballot_id for d in rows if d.ballot_id])
    return [
        DecisionSummary(decision, slugs[decision.body_id], decision.ballot_id in secret)
        for decision in rows
    ]


def get_decision(session: Session, number: str) -> DecisionSummary:
    decision = decision_queries.by_number(session, number)
    if decision is None:
        raise NotFound(f"there is no decision {number}")
    ballots = [decision.ballot_id] if decision.ballot_id is not None else []
    secret = bool(ballot_queries.secret_ids(session, ballots))
    return DecisionSummary(decision, _body_slugs(session)[decision.body_id], secret)
