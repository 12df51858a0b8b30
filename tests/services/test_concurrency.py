"""Several processes (or threads) acting on one database at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from testkit.drive import file, open_ballot, take
from testkit.processes import run_in_processes
from testkit.workers import fire_actions, run_tick_at, vote_repeatedly
from testkit.world import World

from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Ballot, Decision, LogEntry, Person, Proposal, Vote
from governance_engine.services import ballots, directory, identity

pytestmark = pytest.mark.slow


def test_conflicting_actions_exactly_one_wins(world: World, database_url: str) -> None:
    proposal_ids = [file(world, text=f"# Spec {n}\n") for n in range(15)]
    at = (world.clock.now() + timedelta(minutes=5)).isoformat()
    start_at = time.time() + 2
    wendy = world.person_ids["wendy"]
    first, second = run_in_processes(
        fire_actions,
        [
            (database_url, wendy, "submit", proposal_ids, at, start_at),
            (database_url, wendy, "submit", proposal_ids, at, start_at),
        ],
    )
    for proposal_id in proposal_ids:
        outcomes = sorted([first[proposal_id], second[proposal_id]])
        assert outcomes == ["action-not-available", "ok"], (proposal_id, outcomes)
    with world.database.reader() as session:
        states = set(session.scalars(select(Proposal.state).where(Proposal.id.in_(proposal_ids))))
        transitions = session.scalar(
            select(func.count()).where(LogEntry.action == "proposal.transitioned")
        )
        versions = set(session.scalars(select(Proposal.version)))
        assert log_writer.verify(session).ok
    assert states == {"wg_review"}
    assert transitions == len(proposal_ids)
    assert versions == {3}  # filed, revised, submitted once: no lost update


def _big_working_group(world: World, size: int) -> list[int]:
    """A working group with ``size`` voting members, chaired by wendy."""
    with world.database.transaction() as session:
        at = world.clock.now()
        body = directory.create_body(
            session,
            actor=world.admin,
            at=at,
            slug="wg-open-models",
            name="Open Models & Frameworks",
            kind="working_group",
        )
        wendy = session.get(Person, world.person_ids["wendy"])
        assert wendy is not None
        directory.grant_seat(
            session, actor=world.admin, at=at, body=body, person=wendy, role="chair"
        )
        voters = []
        for n in range(size - 1):
            person = identity.create_person(
                session,
                actor=world.admin,
                at=at,
                name=f"Member {n}",
                email=f"m{n}@example.org",
                organization_id=world.organizations["Northwind Labs"],
            )
            directory.grant_seat(
                session, actor=world.admin, at=at, body=body, person=person, role="member"
            )
            voters.append(person.id)
    return [world.person_ids["wendy"], *voters]


def test_fifty_voters_at_once(world: World, database_url: str, backend: str) -> None:
    voters = _big_working_group(world, 50)
    proposal_id = file(world, kind="guideline", sponsor_slug="wg-open-models", text="# G\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    at = (world.clock.now() + timedelta(minutes=5)).isoformat()
    halves = [voters[0::2], voters[1::2]]
    start_at = time.time() + 2
    arguments = [
        (database_url, ballot_id, half, 3, at, start_at, seed) for seed, half in enumerate(halves)
    ]
    if backend == "postgresql":
        results = run_in_processes(vote_repeatedly, arguments)
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda a: vote_repeatedly(*a), arguments))
    acknowledged = {voter: choice for result in results for voter, choice in result.items()}
    assert len(acknowledged) == 50
    with world.database.reader() as session:
        stored = {v.voter_id: v.choice for v in session.scalars(select(Vote))}
        ballot = ballots.get_ballot(session, ballot_id)
        evaluation = ballots.evaluate_ballot(session, ballot, world.clock.now())
        vote_entries = session.scalar(
            select(func.count()).where(LogEntry.action.in_(["vote.cast", "vote.changed"]))
        )
        assert log_writer.verify(session).ok
    assert stored == acknowledged
    counts = evaluation.explanation.counts
    for choice in ("yes", "no", "abstain"):
        assert counts.get(choice, 0) == sum(1 for c in acknowledged.values() if c == choice)
    assert vote_entries == 150  # 50 voters x 3 rounds, each acknowledged once
    assert ballot.current_version == 151  # one step per vote, none lost


def test_two_ticks_at_once_close_each_ballot_once(world: World, database_url: str) -> None:
    ballot_ids = []
    for n in range(8):
        proposal_id = file(world, text=f"# Spec {n}\n")
        take(world, proposal_id, "submit", "wendy")
        ballot_ids.append(open_ballot(world, proposal_id, "wendy"))
    due = (world.clock.now() + timedelta(days=8)).isoformat()
    start_at = time.time() + 2
    first, second = run_in_processes(
        run_tick_at, [(database_url, due, start_at), (database_url, due, start_at)]
    )
    assert sorted(first + second) == sorted(ballot_ids)
    with world.database.reader() as session:
        closed = session.scalar(select(func.count()).where(LogEntry.action == "ballot.closed"))
        decisions = session.scalar(select(func.count()).select_from(Decision))
        states = set(session.scalars(select(Ballot.state)))
        assert log_writer.verify(session).ok
    assert (closed, decisions, states) == (8, 8, {"closed"})
