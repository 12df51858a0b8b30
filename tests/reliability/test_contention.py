"""Losing to concurrent writers is never a 500: re-run with backoff, then 503 try-again.

A serialization failure is forced where it hurts most, after the change and its log entry
were flushed: one that never clears must leave nothing behind and answer 503 with
``Retry-After``; one that clears after a few attempts must be applied once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg.errors
import pytest
from conftest import POSTGRES_URL
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from testkit.drive import WG, file, open_ballot, take, vote
from testkit.http import Api
from testkit.world import build_world

from governance_engine.errors import BallotNotOpen, TryAgain
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import LogEntry, Proposal
from governance_engine.persistence.retry import DEFAULT_ATTEMPTS
from governance_engine.services import ballots, proposals
from governance_engine.services.identity import Actor
from governance_engine.services.tick import tick


def serialization_failure() -> OperationalError:
    return OperationalError(
        "COMMIT", {}, psycopg.errors.SerializationFailure("could not serialize access")
    )


@contextmanager
def failing_appends(monkeypatch: pytest.MonkeyPatch, times: int) -> Iterator[list[int]]:
    """Every log append (after its change is flushed) fails ``times`` times, then works."""
    original = log_writer.append
    calls: list[int] = []

    def append(session: Session, **kwargs: Any) -> Any:
        entry = original(session, **kwargs)
        calls.append(1)
        if len(calls) <= times:
            session.flush()
            raise serialization_failure()
        return entry

    monkeypatch.setattr(log_writer, "append", append)
    yield calls


def counts(api: Api) -> tuple[int, int]:
    with api.world.database.reader() as session:
        proposals = session.scalar(select(func.count()).select_from(Proposal))
        entries = session.scalar(select(func.count()).select_from(LogEntry))
    return int(proposals or 0), int(entries or 0)


FILING = {"kind": "standard", "title": "Model cards", "sponsor": "wg-trust-validation"}


def test_contention_that_never_clears_is_503_try_again_and_writes_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts(api)
    with failing_appends(monkeypatch, times=1000) as calls:
        response = api.post("/api/v1/proposals", json=FILING)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(":try-again")
    assert int(response.headers["Retry-After"]) >= 1
    assert len(calls) == DEFAULT_ATTEMPTS  # the production policy, no more
    assert counts(api) == before


def test_contention_that_clears_is_applied_once(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # The first filing under a workflow version also registers it (a second append): file
    # once before, so exactly one append is counted here.
    assert api.post("/api/v1/proposals", json=FILING).status_code == 201
    proposals, entries = counts(api)
    database: Database = api.client.app.state.database  # type: ignore[attr-defined]
    with failing_appends(monkeypatch, times=3) as calls:
        response = api.post("/api/v1/proposals", json=FILING)
    assert response.status_code == 201, response.text
    assert len(calls) == 4
    assert database.retries == 3
    assert counts(api) == (proposals + 1, entries + 1)


def test_a_unit_of_work_gives_up_with_try_again(database: Database) -> None:
    world = build_world(database)
    attempts: list[int] = []

    def work(session: Session) -> None:
        attempts.append(1)
        proposals.file_proposal(
            session,
            actor=world.actor("wendy"),
            at=world.clock.now(),
            catalog=world.catalog,
            kind="standard",
            title="never filed",
            sponsor_slug="wg-trust-validation",
        )
        session.flush()
        raise serialization_failure()

    with pytest.raises(TryAgain) as raised:
        database.run(work, what="filing a test proposal")
    assert "filing a test proposal" in str(raised.value)
    assert len(attempts) == DEFAULT_ATTEMPTS
    with database.reader() as session:
        assert session.scalar(select(func.count()).where(Proposal.title == "never filed")) == 0


@contextmanager
def commits_failing(database: Database, times: int) -> Iterator[list[int]]:
    """The first ``times`` commits of this database fail as serialization failures do."""
    failed: list[int] = []

    def before_commit(session: Session) -> None:
        if len(failed) < times:
            failed.append(1)
            raise serialization_failure()

    factory = database._writer
    event.listen(factory, "before_commit", before_commit)
    try:
        yield failed
    finally:
        event.remove(factory, "before_commit", before_commit)


def test_a_retried_tick_counts_what_committed(database: Database) -> None:
    world = build_world(database)
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "yes")  # far from closing: the tick leaves it open
    with commits_failing(database, times=2) as failed:
        report = tick(database, clock=world.clock, catalog=world.catalog)
    assert len(failed) == 2
    assert (report.closed, report.still_open, report.already_closed) == ([], 1, 0)


def _race(workers: int, job: Callable[[], str]) -> list[str]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job) for _ in range(workers)]
        return [future.result() for future in futures]


@pytest.mark.skipif(not POSTGRES_URL, reason="needs GOVERNANCE_TEST_POSTGRES_URL (CI sets it)")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("isolation", ["read_committed", "serializable"])
def test_racing_closes_one_wins_the_others_get_ballot_not_open(
    database_url: str, isolation: str
) -> None:
    setup = Database(database_url)
    world = build_world(setup)
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for voter in WG:
        vote(world, ballot_id, voter, "yes")
    setup.dispose()
    racing = Database(database_url, isolation=isolation, pool_size=8)
    at = world.clock.now()

    def close() -> str:
        def work(session: Session) -> None:
            ballots.close_ballot(
                session, actor=Actor.system(), at=at, catalog=world.catalog, ballot_id=ballot_id
            )

        try:
            racing.run(work, what="closing")
        except BallotNotOpen:
            return "409"
        return "200"

    try:
        results = _race(8, close)
        with racing.reader() as session:
            closings = session.scalar(
                select(func.count()).where(LogEntry.action == "ballot.closed")
            )
            assert log_writer.verify(session).ok
    finally:
        racing.dispose()
    assert sorted(results) == ["200"] + ["409"] * 7
    assert closings == 1
