"""``serve --workers 4`` on PostgreSQL: fifty voters at once, ticks racing to close.

A working group of fifty voting members, seeded through the services, votes on three
ballots over HTTP from sixteen client threads: every voter casts and then changes their
position a few times on each ballot. Meanwhile the chair defers and revives two drafts and
closes each ballot as soon as it may, each of the four workers runs its own tick every
0.3 s, and ``governance-engine tick`` runs from the command line, one run after another.
Each ballot settles once all fifty have voted, so the chair and five tick loops race to close
it. Afterwards:

* no request got a 5xx, and every CLI tick exited cleanly;
* no vote is lost: each voter's stored position is the last one acknowledged to them, and
  each acknowledged write is in the decision log once (a refused one not at all);
* each ballot is closed exactly once: one ``ballot.closed``, one decision, and one outcome
  action fired by the system;
* the chain verifies and the replay of the log matches the tables.
"""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from testkit.cli import run_cli
from testkit.crowd import SLUG, big_working_group
from testkit.drive import file, open_ballot, take, vote
from testkit.http import issue_tokens
from testkit.isolation import ISOLATION
from testkit.load import (
    Client,
    Crew,
    Ledger,
    check_closed_ballots,
    check_last_votes_stored,
    check_writes_in_log,
    summarize,
)
from testkit.remote import cast_vote, close_ballot, expect, file_proposal, take_action
from testkit.remote import open_ballot as open_ballot_over_http
from testkit.server import serve_env, start_server
from testkit.world import build_world

from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Ballot, LogEntry
from governance_engine.services import ballots as ballot_service
from governance_engine.services.replay import replay
from governance_engine.services.tick import tick

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("GOVERNANCE_TEST_POSTGRES_URL"),
        reason="several workers need PostgreSQL (GOVERNANCE_TEST_POSTGRES_URL)",
    ),
]

WORKERS = 4
VOTERS = 50
BALLOT_COUNT = 3
ROUNDS = 3  # each voter casts once and changes twice, on each ballot
THREADS = 16
CLI_TICKERS = 1  # each run starts a Python process: one loop of them races the workers


def _vote_all(client: Client, names: list[str], ballots: list[int], seed: int) -> None:
    chooser = random.Random(seed)
    for name in names:
        for ballot_id in chooser.sample(ballots, len(ballots)):
            for _ in range(ROUNDS):
                cast_vote(client, ballot_id, name, chooser.choice(["yes", "no", "abstain"]))


def _close_when_ready(client: Client, stop: threading.Event, ballots: list[int]) -> None:
    """The chair tries to close each open ballot twice a second, racing the ticks: 409 while
    the outcome can still change, and once another closer got there first."""
    still_open = list(ballots)
    while still_open and not stop.is_set():
        for ballot_id in list(still_open):
            closed = close_ballot(client, ballot_id)
            if closed.acknowledged or "ballot-not-open" in str(closed.body):
                still_open.remove(ballot_id)
        time.sleep(0.5)


def _toggle(client: Client, stop: threading.Event, drafts: dict[int, int]) -> None:
    while not stop.is_set():
        for proposal_id in list(drafts):
            for action in ("defer", "revive"):
                moved = take_action(client, proposal_id, action, drafts[proposal_id])
                if moved.acknowledged:
                    drafts[proposal_id] = moved.body["version"]
                time.sleep(0.1)


def _tick_from_the_cli(
    stop: threading.Event,
    cwd: Path,
    database_url: str,
    runs: list[subprocess.CompletedProcess[str]],
) -> None:
    while not stop.is_set():
        runs.append(run_cli("tick", cwd=cwd, database_url=database_url))


def _all_closed(database: Database, ballots: list[int]) -> bool:
    with database.reader() as session:
        states = session.scalars(select(Ballot.state).where(Ballot.id.in_(ballots)))
        return set(states) == {"closed"}


@pytest.mark.parametrize("backend", ["postgresql"])
def test_four_workers_fifty_voters_ticks_racing(
    database_url: str, backend: str, tmp_path: Path
) -> None:
    database = Database(database_url)
    try:
        _run_and_check(database, database_url, tmp_path)
    finally:
        database.dispose()


def _run_and_check(database: Database, database_url: str, tmp_path: Path) -> None:
    started = time.monotonic()
    env = serve_env(database_url, tmp_path / "keys" / "signing.pem", tick_interval=0.3)
    server = start_server(env, tmp_path, workers=WORKERS)  # its workers boot meanwhile
    try:
        world = build_world(database)
        voters = big_working_group(world, VOTERS)
        tokens = issue_tokens(world)
        ids = {name: world.person_ids[name] for name in voters}
        ledger = Ledger()
        cli_runs: list[subprocess.CompletedProcess[str]] = []
        server.wait_ready()
        setup = Client(server.url, tokens, ledger)
        try:
            ballots = [_ballot_in_review(setup) for _ in range(BALLOT_COUNT)]
            drafts = {}
            for _ in range(2):
                filed = expect(file_proposal(setup, "guideline", SLUG), 201)
                drafts[filed["id"]] = filed["version"]
        finally:
            setup.close()

        stop = threading.Event()
        crew = Crew()
        clients = [Client(server.url, tokens, ledger) for _ in range(THREADS + 2)]
        load_started = time.monotonic()
        voting = [
            crew.start(_vote_all, clients[n], voters[n::THREADS], ballots, n)
            for n in range(THREADS)
        ]
        crew.start(_close_when_ready, clients[THREADS], stop, ballots)
        crew.start(_toggle, clients[THREADS + 1], stop, drafts)
        voting_over = threading.Event()
        for _ in range(CLI_TICKERS):
            crew.start(_tick_from_the_cli, voting_over, tmp_path, database_url, cli_runs)
        crew.join(voting, timeout=45)
        voted_in = time.monotonic() - load_started
        voting_over.set()
        deadline = time.monotonic() + 10
        while not _all_closed(database, ballots) and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        crew.check()
        for client in clients:
            client.close()
    finally:
        server.stop()
    output = server.output()

    with database.reader() as session:
        problems = [
            *check_writes_in_log(session, ledger, ids),
            *check_last_votes_stored(session, ledger, ids),
            *check_closed_ballots(session),
            *_one_outcome_action_each(session, ballots),
        ]
        verified = log_writer.verify(session)
        closers = _closers(session, ballots, world.person_ids["wendy"])
        times = list(session.scalars(select(LogEntry.recorded_at).order_by(LogEntry.seq)))
    with database.reader() as session:
        report = replay(session)
    # Not a rule the design states, so reported, not asserted: an entry's time is read before
    # its unit of work waits for locks, so under contention it can be earlier than the last.
    earlier = sum(1 for before, after in itertools.pairwise(times) if after < before)
    votes = ledger.of("vote")
    refused = Counter(
        str(s.body.get("type", "")).rsplit(":", 1)[-1] for s in votes if not s.acknowledged
    )
    print(
        f"\n[{WORKERS} workers] {len(votes)} votes in {voted_in:.1f} s "
        f"({sum(s.acknowledged for s in votes)} acknowledged, refused: {dict(refused)}); "
        f"{len(ledger.sent)} requests in all; {len(cli_runs)} CLI ticks; ballots closed by "
        f"{closers}; {verified.checked} log entries verified, {earlier} of them timed earlier "
        f"than the entry before; {time.monotonic() - started:.1f} s in all"
    )

    assert ledger.in_doubt() == [], "no request may go unanswered"
    assert ledger.server_errors() == [], summarize(str(s) for s in ledger.server_errors())
    if ISOLATION != "serializable":
        # Row locks queue writers: contention is waited out, never answered try-again. (At
        # SERIALIZABLE every two writers still conflict on the log head until writes stop
        # sharing it, so some are answered 503 try-again, and the clients resend them.)
        assert ledger.try_again() == [], summarize(str(s) for s in ledger.try_again())
    assert "Traceback" not in output, _tracebacks(output)
    for run in cli_runs:
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr, run.stderr
    assert _all_closed(database, ballots), "every ballot settles once all fifty have voted"
    assert not problems, summarize(problems)
    assert verified.ok, verified
    assert report.ok, "\n".join(report.lines())


def _ballot_in_review(client: Client) -> int:
    filed = expect(file_proposal(client, "guideline", SLUG), 201)
    submitted = expect(take_action(client, filed["id"], "submit", filed["version"]))
    opened = expect(open_ballot_over_http(client, filed["id"], submitted["version"]), 201)
    return int(opened["id"])


def _tracebacks(output: str) -> str:
    """The server's tracebacks without the access log around them."""
    return "\n".join(line for line in output.splitlines() if '" HTTP/1.1" ' not in line)


def _one_outcome_action_each(session: Any, ballots: list[int]) -> list[str]:
    """Rule: each closed ballot fires exactly one outcome action, as the system."""
    fired = Counter(
        entry.payload.get("reason", "")
        for entry in session.scalars(
            select(LogEntry).where(
                LogEntry.action == "proposal.transitioned", LogEntry.actor_id.is_(None)
            )
        )
    )
    problems = []
    for ballot in session.scalars(select(Ballot).where(Ballot.id.in_(ballots))):
        count = fired[f"ballot {ballot.id} {ballot.outcome}"]
        if count != 1:
            problems.append(f"ballot {ballot.id} ({ballot.outcome}) fired {count} outcome actions")
    return problems


def _closers(session: Any, ballots: list[int], chair: int) -> dict[str, int]:
    closed_by = session.scalars(select(Ballot.closed_by_id).where(Ballot.id.in_(ballots)))
    return dict(Counter("chair" if who == chair else "tick" for who in closed_by))


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_vote_changed_while_the_tick_decides_leaves_the_ballot_open(
    database: Database, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the test above runs into, made deterministic.

    ``tick`` first reads a ballot without a lock and sees that it may close (three of the five
    said yes: settled), then ``close_ballot`` locks it and evaluates again. A voter who
    changes yes to no in between unsettles it. The tick must leave it open for a later round,
    not fail: a failed round closes none of the ballots after it, fires no timer and sends no
    reminder, and ``governance-engine tick`` exits with an error. (PostgreSQL only: a SQLite
    tick holds the write lock from its first read, so nobody can vote in between.)
    """
    world = build_world(database)
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for voter in ("wendy", "will", "wren"):
        vote(world, ballot_id, voter, "yes")
    close = ballot_service.close_ballot

    def close_after_a_change(session: Session, **arguments: Any) -> Any:
        vote(world, ballot_id, "wren", "no")  # commits on another connection
        return close(session, **arguments)

    monkeypatch.setattr(ballot_service, "close_ballot", close_after_a_change)
    report = tick(database, clock=world.clock, catalog=world.catalog)
    monkeypatch.undo()

    assert report.closed == []
    assert report.still_open == 1
    with database.reader() as session:
        assert session.get(Ballot, ballot_id).state == "open"  # type: ignore[union-attr]
