"""Drive the services as people would: one unit of work per act, the clock moving on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from governance_engine.persistence.models import Ballot, Proposal, Revision
from governance_engine.services import ballots, proposals, webhook_subscriptions
from governance_engine.services.ballots import CastVote, ClosedBallot
from governance_engine.services.tick import TickReport, tick
from testkit.world import World

T = TypeVar("T")
TEXT = "# Trusted model cards\n\nEvery model ships a signed card.\n"
WG = ["wendy", "wes", "will", "wren", "wade"]
TOC = ["tara", "tom", "tess", "theo", "tina"]
BOARD = ["bob", "bea", "bill", "beth", "bert"]


def act(world: World, work: Callable[[Session], T]) -> T:
    world.tick()
    with world.database.transaction() as session:
        return work(session)


def file(world: World, by: str = "wendy", kind: str = "standard", **extra: Any) -> int:
    arguments: dict[str, Any] = {"title": "Model cards", "sponsor_slug": "wg-trust-validation"}
    arguments.update(extra)
    proposal: Proposal = act(
        world,
        lambda s: proposals.file_proposal(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            kind=kind,
            **arguments,
        ),
    )
    return proposal.id


def take(world: World, proposal_id: int, action: str, by: str, **extra: Any) -> Proposal:
    return act(
        world,
        lambda s: proposals.take_action(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            action=action,
            **extra,
        ),
    )


def revise(world: World, proposal_id: int, by: str, text: str = TEXT, **extra: Any) -> Revision:
    return act(
        world,
        lambda s: proposals.add_revision(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            text=text,
            **extra,
        ),
    )


def open_ballot(world: World, proposal_id: int, by: str, deadline: datetime | None = None) -> int:
    ballot: Ballot = act(
        world,
        lambda s: ballots.open_ballot(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            deadline=deadline,
        ),
    )
    return ballot.id


def vote(world: World, ballot_id: int, by: str, choice: str, **extra: Any) -> CastVote:
    return act(
        world,
        lambda s: ballots.cast_vote(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            ballot_id=ballot_id,
            choice=choice,
            **extra,
        ),
    )


def close(world: World, ballot_id: int, by: str) -> ClosedBallot:
    return act(
        world,
        lambda s: ballots.close_ballot(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            ballot_id=ballot_id,
        ),
    )


def run_tick(world: World) -> TickReport:
    return tick(world.database, clock=world.clock, catalog=world.catalog)


def state_of(world: World, proposal_id: int) -> str:
    with world.database.reader() as session:
        return proposals.get_proposal(session, proposal_id).state


def pass_ballot(world: World, proposal_id: int, officer: str, voters: list[str]) -> ClosedBallot:
    """Open the stage's ballot, have everyone vote yes (or the lazy-consensus default), close."""
    ballot_id = open_ballot(world, proposal_id, officer)
    with world.database.reader() as session:
        rule = ballots.frozen_rule(ballots.get_ballot(session, ballot_id))
    if not rule.lazy_consensus:
        for voter in voters:
            vote(world, ballot_id, voter, "yes")
    else:
        world.clock.advance(rule.duration or timedelta(days=3))
    report = run_tick(world)
    assert ballot_id in report.closed, report
    with world.database.reader() as session:
        ballot = ballots.get_ballot(session, ballot_id)
        evaluation = ballots.evaluate_ballot(session, ballot, world.clock.now())
    assert ballot.outcome == "passed", evaluation.explanation.lines
    return ClosedBallot(ballot, None, evaluation, None)  # type: ignore[arg-type]


def subscribe(world: World, *event_types: str, url: str = "https://hooks.example.org/gov") -> int:
    """An admin registers a webhook; events are stored only while someone subscribes."""
    created = act(
        world,
        lambda s: webhook_subscriptions.create_subscription(
            s,
            actor=world.admin,
            at=world.clock.now(),
            url=url,
            event_types=list(event_types),
            secret=None,
        ),
    )
    return created.subscription.id
