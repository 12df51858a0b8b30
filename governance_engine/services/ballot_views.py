"""What a person may see of a ballot: one read model for the API and the pages.

Secret ballots (DESIGN §5): while open, no one sees the tally, the explanation's numbers or
any choice, but who has voted is visible; after close the tally is published and individual
choices stay hidden, except to auditors, who see everything so they can check the tally.
Every voter may always see their own position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from governance_engine.persistence.models import Ballot
from governance_engine.persistence.repositories import ballots as queries
from governance_engine.services import concerns
from governance_engine.services.ballots import evaluate_ballot, frozen_rule, get_ballot
from governance_engine.services.concerns import ConcernView
from governance_engine.services.identity import Actor
from governance_engine.services.records import secret_explanation


@dataclass(frozen=True)
class VoteView:
    voter_id: int
    choice: str | None  # None where secrecy hides it
    rationale: str | None
    entered_by_id: int | None
    updated_at: datetime


@dataclass(frozen=True)
class BallotView:
    ballot: Ballot
    rule_description: str
    electorate: tuple[int, ...]
    voted: tuple[int, ...]
    votes: tuple[VoteView, ...]
    tally_visible: bool
    evaluation: dict[str, Any] | None  # outcome, settled, may_close, explanation; None if hidden
    turnout: dict[str, Any]  # electorate, voted, not voted: always visible
    own_vote: VoteView | None
    standing_concerns: tuple[ConcernView, ...] = ()
    """The proposal's concerns that stand now (open or addressed). Raising one while the
    ballot is open changes nothing about the ballot; it is shown here for voters to weigh."""


def _may_see_choices(ballot: Ballot, viewer: Actor) -> bool:
    return not ballot.secret or viewer.is_auditor


def _may_see_tally(ballot: Ballot, viewer: Actor) -> bool:
    return not ballot.secret or viewer.is_auditor or ballot.state == "closed"


def view_ballot(session: Session, *, viewer: Actor, ballot_id: int, at: datetime) -> BallotView:
    ballot = get_ballot(session, ballot_id)
    electors = queries.electors(session, ballot.id)
    all_votes = queries.votes(session, ballot.id)
    electorate = tuple(e.person_id for e in electors)
    members = set(electorate)
    stored = [v for v in all_votes if v.voter_id in members]
    see_choices = _may_see_choices(ballot, viewer)
    votes = []
    own = None
    for vote in stored:
        visible = see_choices or vote.voter_id == viewer.person_id
        item = VoteView(
            voter_id=vote.voter_id,
            choice=vote.choice if visible else None,
            rationale=vote.rationale if visible else None,
            entered_by_id=vote.entered_by_id if visible else None,
            updated_at=vote.updated_at,
        )
        votes.append(item)
        if vote.voter_id == viewer.person_id:
            own = item
    tally_visible = _may_see_tally(ballot, viewer)
    evaluated = evaluate_ballot(session, ballot, at, electors=electors, votes=all_votes)
    evaluation = evaluated.to_dict() if tally_visible else None
    turnout = evaluated.explanation.to_dict(hide_tally=True)
    if evaluation is not None and ballot.state == "cancelled":
        evaluation["outcome"] = None
    if evaluation is not None and not see_choices:  # a secret ballot, read by a non-auditor
        evaluation["explanation"] = secret_explanation(evaluation["explanation"])
    return BallotView(
        ballot=ballot,
        rule_description=frozen_rule(ballot).describe(),
        electorate=electorate,
        voted=tuple(v.voter_id for v in stored),
        votes=tuple(votes),
        tally_visible=tally_visible,
        evaluation=evaluation,
        turnout=turnout,
        own_vote=own,
        standing_concerns=tuple(concerns.standing(session, ballot.proposal_id)),
    )
