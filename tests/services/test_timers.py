"""State timers fired by ``tick``: once, on time, as the system, and safely in parallel."""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from testkit.drive import file, revise, run_tick, state_of, take
from testkit.processes import run_in_processes
from testkit.workers import run_tick_report_at
from testkit.world import World, build_world

from governance_engine.clock import FrozenClock
from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Decision, LogEntry, Proposal
from governance_engine.services import proposals
from governance_engine.services.tick import tick
from governance_engine.services.workflows import WorkflowCatalog


def entries(world: World, action: str, proposal_id: int | None = None) -> list[LogEntry]:
    with world.database.reader() as session:
        statement = select(LogEntry).where(LogEntry.action == action)
        if proposal_id is not None:
            statement = statement.where(LogEntry.proposal_id == proposal_id)
        return list(session.scalars(statement.order_by(LogEntry.seq)))


def proposal(world: World, proposal_id: int) -> Proposal:
    with world.database.reader() as session:
        return proposals.get_proposal(session, proposal_id)


def guideline_with(**draft_timer: Any) -> WorkflowCatalog:
    """The bundled catalog, with the guideline's draft timer (and the action it fires) changed."""
    [guideline] = [d for d in load_bundled() if d.name == "guideline"]
    data = copy.deepcopy(guideline.to_dict())
    data["states"]["draft"]["timer"]["after"] = draft_timer.get("after", "180 days")
    data["actions"]["defer"]["guards"] = draft_timer.get("guards", [])
    edited = WorkflowDefinition.from_dict(data, source="edited guideline.yaml")
    others = [d for d in load_bundled() if d.name != "guideline"]
    return WorkflowCatalog([*others, edited])


def test_a_calendar_timer_fires_once_as_the_system(world: World) -> None:
    proposal_id = file(world, text="# Draft\n")
    entered = proposal(world, proposal_id).state_entered_at
    world.clock.set(entered + timedelta(days=180) - timedelta(seconds=1))
    report = run_tick(world)
    assert report.timers.fired == []
    assert state_of(world, proposal_id) == "draft"

    world.clock.set(entered + timedelta(days=180))
    report = run_tick(world)
    assert report.timers.fired == [proposal_id]
    assert "timers fired on proposals: " + str(proposal_id) in report.describe()
    after = proposal(world, proposal_id)
    assert (after.state, after.version) == ("deferred", 3)  # filed, revised, deferred
    assert after.state_entered_at == entered + timedelta(days=180)
    [entry] = entries(world, "proposal.transitioned", proposal_id)
    assert entry.actor_id is None
    assert entry.payload["action"] == "defer"
    assert entry.payload["reason"] == "timer: 180 days in draft"

    world.clock.advance(timedelta(days=1))
    assert run_tick(world).timers.fired == []  # idempotent: deferred's own timer is a year
    assert len(entries(world, "proposal.transitioned", proposal_id)) == 1


def test_timers_chain_to_the_end_of_the_lifecycle(world: World) -> None:
    proposal_id = file(world, text="# Draft\n")
    world.clock.advance(timedelta(days=181))
    run_tick(world)
    assert state_of(world, proposal_id) == "deferred"
    world.clock.advance(timedelta(days=364))
    assert run_tick(world).timers.fired == []
    world.clock.advance(timedelta(days=2))
    assert run_tick(world).timers.fired == [proposal_id]
    assert state_of(world, proposal_id) == "withdrawn"
    with world.database.reader() as session:
        decision = session.scalars(
            select(Decision).where(Decision.proposal_id == proposal_id)
        ).one()
        assert log_writer.verify(session).ok
    assert decision.outcome == "withdrawn"
    assert decision.kind == "transition"


def test_states_without_timers_and_fresh_proposals_are_left_alone(world: World) -> None:
    in_review = file(world, text="# Reviewed\n")
    take(world, in_review, "submit", "wendy")
    world.clock.advance(timedelta(days=90))
    fresh = file(world, text="# New\n")
    world.clock.advance(timedelta(days=100))
    report = run_tick(world)
    assert report.timers.fired == []
    assert (state_of(world, in_review), state_of(world, fresh)) == ("wg_review", "draft")


def test_acting_resets_the_timer(world: World) -> None:
    proposal_id = file(world, text="# Draft\n")
    take(world, proposal_id, "submit", "wendy")
    world.clock.advance(timedelta(days=100))
    with world.database.transaction() as session:  # back to the authors: a fresh 90 days
        proposals.take_action(
            session,
            actor=world.actor("wendy"),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            action="wg_return",
        )
    world.clock.advance(timedelta(days=89))
    assert run_tick(world).timers.fired == []
    world.clock.advance(timedelta(days=1))
    assert run_tick(world).timers.fired == [proposal_id]
    assert state_of(world, proposal_id) == "deferred"


def test_business_days_skip_the_weekend(database: Database) -> None:
    world = build_world(database, catalog=guideline_with(after="3 business days"))
    thursday = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    world.clock.set(thursday - timedelta(minutes=1))
    proposal_id = file(world, kind="guideline", text="# G\n")  # entered Thursday 16:00
    assert proposal(world, proposal_id).state_entered_at == thursday
    # Three calendar days later it is Sunday: only Friday has counted so far.
    world.clock.set(datetime(2026, 3, 9, 15, 59, tzinfo=UTC))  # Monday 15:59
    assert run_tick(world).timers.fired == []
    world.clock.set(datetime(2026, 3, 10, 15, 59, tzinfo=UTC))  # Tuesday 15:59
    assert run_tick(world).timers.fired == []
    world.clock.set(datetime(2026, 3, 10, 16, 0, tzinfo=UTC))  # Tuesday 16:00: three days
    assert run_tick(world).timers.fired == [proposal_id]
    assert state_of(world, proposal_id) == "deferred"


def test_a_refused_timer_is_logged_once_and_fires_when_the_guard_holds(database: Database) -> None:
    world = build_world(database, catalog=guideline_with(after="10 days", guards=["has_revision"]))
    proposal_id = file(world, kind="guideline")  # no text: has_revision fails
    world.clock.advance(timedelta(days=11))
    report = run_tick(world)
    assert (report.timers.fired, report.timers.refused) == ([], [proposal_id])
    [refusal] = entries(world, "proposal.timer_refused", proposal_id)
    assert refusal.actor_id is None
    assert refusal.payload["action"] == "defer"
    assert refusal.payload["guards"] == ["has_revision"]
    assert refusal.payload["version"] == 1
    assert "has_revision" in refusal.payload["reason"]
    assert "timers refused by a guard: 1" in report.describe()

    for _ in range(3):  # later ticks check, but neither fire nor log again
        world.clock.advance(timedelta(hours=1))
        report = run_tick(world)
        assert (report.timers.fired, report.timers.refused, report.timers.waiting) == ([], [], 1)
    assert len(entries(world, "proposal.timer_refused", proposal_id)) == 1
    assert proposal(world, proposal_id).version == 1  # a refusal changes nothing

    revise(world, proposal_id, "wendy")  # the guard holds now; the proposal is at version 2
    report = run_tick(world)
    assert report.timers.fired == [proposal_id]
    assert state_of(world, proposal_id) == "deferred"
    assert len(entries(world, "proposal.timer_refused", proposal_id)) == 1


def test_two_ticks_on_threads_fire_each_timer_once(world: World) -> None:
    proposal_ids = [file(world, text=f"# Draft {n}\n") for n in range(6)]
    world.clock.advance(timedelta(days=181))
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda _: run_tick(world), range(2)))
    fired = sorted(reports[0].timers.fired + reports[1].timers.fired)
    assert fired == sorted(proposal_ids)
    assert len(entries(world, "proposal.transitioned")) == len(proposal_ids)


@pytest.mark.slow
def test_two_tick_processes_fire_each_timer_once(world: World, database_url: str) -> None:
    proposal_ids = [file(world, text=f"# Draft {n}\n") for n in range(12)]
    due = (world.clock.now() + timedelta(days=181)).isoformat()
    start_at = time.time() + 2
    first, second = run_in_processes(
        run_tick_report_at, [(database_url, due, start_at), (database_url, due, start_at)]
    )
    assert sorted(first["fired"] + second["fired"]) == sorted(proposal_ids)
    with world.database.reader() as session:
        transitions = session.scalar(
            select(func.count()).where(LogEntry.action == "proposal.transitioned")
        )
        states = set(session.scalars(select(Proposal.state)))
        versions = set(session.scalars(select(Proposal.version)))
        assert log_writer.verify(session).ok
    assert (transitions, states, versions) == (12, {"deferred"}, {3})


def test_a_tick_at_a_fixed_moment_is_repeatable(world: World) -> None:
    proposal_id = file(world, text="# Draft\n")
    moment = FrozenClock(world.clock.now() + timedelta(days=200))
    first = tick(world.database, clock=moment, catalog=world.catalog)
    second = tick(world.database, clock=moment, catalog=world.catalog)
    assert (first.timers.fired, second.timers.fired) == ([proposal_id], [])
