"""Under SERIALIZABLE isolation conflicts are re-run transparently, and nothing is written twice.

The API's routes re-run their whole unit of work (the change, its log entry, its outbox rows)
when PostgreSQL reports a serialization failure or a deadlock.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import POSTGRES_URL
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import func, select
from testkit.drive import file, open_ballot, subscribe, take
from testkit.world import build_world

from api.app import create_app
from api.retry import RetryingRoute
from governance_engine.config import Settings
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import LogEntry, OutboxEvent, Vote
from governance_engine.services import ballots
from governance_engine.services.identity import Actor


def test_every_route_re_runs_on_serialization_failures(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    routes = [
        context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]
    assert len(routes) > 60
    plain = [route.path for route in routes if not isinstance(route, RetryingRoute)]
    assert plain == []


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES_URL, reason="needs GOVERNANCE_TEST_POSTGRES_URL (CI sets it)")
# SERIALIZABLE conflicts are a PostgreSQL matter: SQLite serialises writers (BEGIN IMMEDIATE).
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_conflicting_votes_are_retried_and_written_once(database_url: str) -> None:
    setup = Database(database_url)
    world = build_world(setup)
    subscribe(world, "vote.*")  # so that every vote's event is stored, and can be counted
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    voters = ["wendy", "wes", "will", "wren", "wade"]
    at = world.clock.now() + timedelta(minutes=5)
    setup.dispose()

    serializable = Database(database_url, isolation="serializable", pool_size=8)
    choices = ["yes", "no", "abstain"]
    acknowledged: dict[str, str] = {}

    def vote_many(voter: str) -> None:
        actor: Actor = world.actor(voter)
        for round_ in range(6):
            choice = choices[(round_ + len(voter)) % 3]

            def work(session: object, choice: str = choice) -> None:
                ballots.cast_vote(
                    session,  # type: ignore[arg-type]
                    actor=actor,
                    at=at,
                    ballot_id=ballot_id,
                    choice=choice,
                )

            serializable.run(work)
            acknowledged[voter] = choice

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(voters)) as pool:
        list(pool.map(vote_many, voters))
    elapsed = time.monotonic() - started
    try:
        with serializable.reader() as session:
            stored = {
                world.person_ids[name]: session.scalar(
                    select(Vote.choice).where(Vote.voter_id == world.person_ids[name])
                )
                for name in voters
            }
            entries = session.scalar(
                select(func.count()).where(LogEntry.action.in_(["vote.cast", "vote.changed"]))
            )
            events = session.scalar(
                select(func.count()).where(
                    OutboxEvent.event_type.in_(["vote.cast", "vote.changed"])
                )
            )
            assert log_writer.verify(session).ok
    finally:
        serializable.dispose()
    assert serializable.retries > 0, "the votes never conflicted: the test proves nothing"
    assert stored == {world.person_ids[name]: choice for name, choice in acknowledged.items()}
    assert entries == len(voters) * 6  # one entry per acknowledged vote, none from a retry
    assert events == entries  # and one outbox event each
    assert elapsed < 60
