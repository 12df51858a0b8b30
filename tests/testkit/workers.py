"""Functions run in child processes by the concurrency tests (importable by name)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from testkit.isolation import ISOLATION
from testkit.load import RESENDS

T = TypeVar("T")


def append_many(url: str, worker: int, count: int) -> int:
    """Append ``count`` entries, one transaction each; return how many committed."""
    database = Database(url, pool_size=1, isolation=ISOLATION)
    try:
        for index in range(count):

            def append(session: Any, index: int = index) -> None:
                log_writer.append(
                    session,
                    at=datetime.now(UTC),
                    actor_id=None,
                    action="test.appended",
                    subject_type="worker",
                    subject_id=worker,
                    payload={"worker": worker, "index": index},
                )

            run_as_a_client(database, append)
        return count
    finally:
        database.dispose()


def run_as_a_client(database: Database, work: Callable[[Any], T]) -> T:
    """``database.run(work)``, sent again after ``Retry-After`` when it is answered try-again
    (lost to contention on every attempt, nothing written), as the API's clients do."""
    import time

    from governance_engine.errors import TryAgain

    for _ in range(RESENDS - 1):
        try:
            return database.run(work)
        except TryAgain as refusal:
            time.sleep(refusal.details["retry_after"].total_seconds())
    return database.run(work)


def _wait_until(start_at: float) -> None:
    import time

    delay = start_at - time.time()
    if delay > 0:
        time.sleep(delay)


def _actor(database: Database, person_id: int) -> Any:
    from governance_engine.persistence.models import Person
    from governance_engine.services.identity import Actor

    with database.reader() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return Actor.of(person)


def fire_actions(
    url: str, person_id: int, action: str, proposal_ids: list[int], at_iso: str, start_at: float
) -> dict[int, str]:
    """Fire ``action`` on every proposal; report per proposal "ok" or the refusal's error code."""
    from governance_engine.errors import GovernanceError
    from governance_engine.services import proposals
    from governance_engine.services.workflows import WorkflowCatalog

    database = Database(url, pool_size=1, isolation=ISOLATION)
    catalog = WorkflowCatalog.bundled()
    actor = _actor(database, person_id)
    at = datetime.fromisoformat(at_iso)
    results: dict[int, str] = {}
    _wait_until(start_at)
    try:
        for proposal_id in proposal_ids:

            def take(session: Any, proposal_id: int = proposal_id) -> None:
                proposals.take_action(
                    session,
                    actor=actor,
                    at=at,
                    catalog=catalog,
                    proposal_id=proposal_id,
                    action=action,
                )

            try:
                run_as_a_client(database, take)
                results[proposal_id] = "ok"
            except GovernanceError as refusal:
                results[proposal_id] = refusal.code
        return results
    finally:
        database.dispose()


def vote_repeatedly(
    url: str,
    ballot_id: int,
    voters: list[int],
    rounds: int,
    at_iso: str,
    start_at: float,
    seed: int,
) -> dict[int, str]:
    """Each voter casts, then changes their vote ``rounds`` times; return the last acknowledged."""
    import random

    from governance_engine.services import ballots

    database = Database(url, pool_size=1, isolation=ISOLATION)
    at = datetime.fromisoformat(at_iso)
    chooser = random.Random(seed)
    actors = {voter: _actor(database, voter) for voter in voters}
    acknowledged: dict[int, str] = {}
    _wait_until(start_at)
    try:
        for _ in range(rounds):
            for voter in voters:
                choice = chooser.choice(["yes", "no", "abstain"])

                def work(session: Any, voter: int = voter, choice: str = choice) -> None:
                    ballots.cast_vote(
                        session, actor=actors[voter], at=at, ballot_id=ballot_id, choice=choice
                    )

                run_as_a_client(database, work)
                acknowledged[voter] = choice
        return acknowledged
    finally:
        database.dispose()


def run_tick_at(url: str, at_iso: str, start_at: float) -> list[int]:
    from governance_engine.clock import FrozenClock
    from governance_engine.services.tick import tick
    from governance_engine.services.workflows import WorkflowCatalog

    database = Database(url, pool_size=1, isolation=ISOLATION)
    _wait_until(start_at)
    try:
        report = tick(
            database,
            clock=FrozenClock(datetime.fromisoformat(at_iso)),
            catalog=WorkflowCatalog.bundled(),
        )
        return report.closed
    finally:
        database.dispose()


def run_tick_report_at(url: str, at_iso: str, start_at: float) -> dict[str, Any]:
    """One ``tick`` at a fixed moment; what it closed, fired and reminded."""
    from datetime import timedelta

    from governance_engine.clock import FrozenClock
    from governance_engine.services.tick import tick
    from governance_engine.services.workflows import WorkflowCatalog

    database = Database(url, pool_size=1, isolation=ISOLATION)
    _wait_until(start_at)
    try:
        report = tick(
            database,
            clock=FrozenClock(datetime.fromisoformat(at_iso)),
            catalog=WorkflowCatalog.bundled(),
            reminder_window=timedelta(hours=24),
        )
        return {
            "closed": report.closed,
            "fired": report.timers.fired,
            "refused": report.timers.refused,
            "moved": report.timers.moved,
            "reminders": report.reminders_sent,
        }
    finally:
        database.dispose()


def deliver_at(url: str, at_iso: str, start_at: float, max_attempts: int) -> list[int]:
    """One webhook delivery pass at a fixed moment; the deliveries it recorded as delivered."""
    from governance_engine.clock import FrozenClock
    from governance_engine.persistence.webhook_sender import HttpSender
    from governance_engine.services.webhooks import RetryPolicy, deliver_due

    database = Database(url, pool_size=2, isolation=ISOLATION)
    _wait_until(start_at)
    try:
        report = deliver_due(
            database,
            clock=FrozenClock(datetime.fromisoformat(at_iso)),
            sender=HttpSender(timeout=5, allow_private=True),
            policy=RetryPolicy(max_attempts=max_attempts, timeout=5),
            batch_size=3,
        )
        return report.delivered
    finally:
        database.dispose()
