"""``kill -9`` the real server in the middle of load; restart it on the same database.

Client threads drive votes, workflow actions, revisions, filings, ballot openings and closes
over HTTP against ``governance-engine serve`` (its tick running every 0.3 s, racing the
chair's closes). After a few seconds the server gets SIGKILL: no shutdown, no flush. It is
started again on the same database and answers. Then:

* every write acknowledged with 2xx before the kill is in the decision log exactly once,
  saying what the response said, and is what the tables hold (the last acknowledged vote of
  each voter is their stored position);
* a write refused with 4xx left nothing; one whose answer never came is there once or not;
* nothing is half-done: ``log replay`` rebuilds the tables from the log with no difference,
  and each closed ballot has one ``ballot.closed``, one decision and one outcome action;
* the hash chain verifies.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from testkit.crowd import SLUG, big_working_group
from testkit.http import issue_tokens
from testkit.load import (
    Client,
    Crew,
    Ledger,
    check_closed_ballots,
    check_last_votes_stored,
    check_writes_in_log,
    entries_by_tag,
    summarize,
)
from testkit.remote import (
    add_revision,
    cast_vote,
    close_ballot,
    expect,
    file_proposal,
    open_ballot,
    take_action,
    wait_for_state,
)
from testkit.server import Server, running_server, serve_env, start_server
from testkit.world import build_world

from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Proposal
from governance_engine.services.replay import replay

pytestmark = pytest.mark.slow

MEMBERS = 13  # wendy and m00..m11
VOTER_THREADS = 6  # two members each
LOAD_SECONDS = 2.5  # then SIGKILL


def _long_ballot(client: Client, voters: list[str]) -> int:
    """A standard in WG last call: its lazy-consensus ballot never closes early, so votes on
    it can go on until the kill."""
    filed = expect(file_proposal(client, "standard", SLUG), 201)
    submitted = expect(take_action(client, filed["id"], "submit", filed["version"]))
    review = expect(open_ballot(client, filed["id"], submitted["version"]), 201)
    for voter in voters[:7]:
        assert cast_vote(client, review["id"], voter, "yes").acknowledged
    # 7 of 13 settle it: the server's tick closes the review; the outcome starts last call.
    last_call = wait_for_state(client, filed["id"], "wg_last_call")
    ballot = expect(open_ballot(client, filed["id"], last_call["version"]), 201)
    assert ballot["rule_name"] == "lazy-consensus"
    return int(ballot["id"])


def _draft(client: Client, kind: str) -> tuple[int, int]:
    filed = expect(file_proposal(client, kind, SLUG), 201)
    return int(filed["id"]), int(filed["version"])


def _voter(client: Client, stop: threading.Event, names: list[str], ballots: list[int]) -> None:
    chooser = random.Random(names[0])
    while not stop.is_set():
        for name in names:
            for ballot_id in ballots:
                cast_vote(client, ballot_id, name, chooser.choice(["yes", "abstain", "object"]))


def _toggler(client: Client, stop: threading.Event, drafts: list[tuple[int, int]]) -> None:
    """The chair defers and revives drafts, each time with the ETag just acknowledged."""
    versions = dict(drafts)
    while not stop.is_set():
        for proposal_id in list(versions):
            for action in ("defer", "revive"):
                moved = take_action(client, proposal_id, action, versions[proposal_id])
                if moved.acknowledged:
                    versions[proposal_id] = moved.body["version"]


def _reviser(client: Client, stop: threading.Event, proposal_id: int) -> None:
    while not stop.is_set():
        add_revision(client, proposal_id)


def _cycler(client: Client, stop: threading.Event, voters: list[str]) -> None:
    """File a guideline, submit it, open its WG ballot, pass it, close it (racing the tick)."""
    while not stop.is_set():
        filed = file_proposal(client, "guideline", SLUG)
        if not filed.acknowledged:
            continue
        submitted = take_action(client, filed.body["id"], "submit", filed.body["version"])
        if not submitted.acknowledged:
            continue
        ballot = open_ballot(client, filed.body["id"], submitted.body["version"])
        if not ballot.acknowledged:
            continue
        for voter in voters[:7]:  # 7 of 13: the outcome is settled
            cast_vote(client, ballot.body["id"], voter, "yes")
        close_ballot(client, ballot.body["id"])


def test_kill_9_mid_load_loses_no_acknowledged_write(
    database_url: str, backend: str, tmp_path: Path
) -> None:
    database = Database(database_url)
    try:
        _kill_and_check(database, database_url, backend, tmp_path)
    finally:
        database.dispose()


def _kill_and_check(database: Database, database_url: str, backend: str, tmp_path: Path) -> None:
    world = build_world(database)
    voters = big_working_group(world, MEMBERS)
    tokens = issue_tokens(world)
    ids = {name: world.person_ids[name] for name in voters}
    env = serve_env(database_url, tmp_path / "keys" / "signing.pem", tick_interval=0.3)
    ledger = Ledger()

    first = start_server(env, tmp_path, log_name="first.log")
    try:
        first.wait_ready()
        setup = Client(first.url, tokens, ledger)
        try:
            long_ballots = [_long_ballot(setup, voters) for _ in range(2)]
            drafts = [_draft(setup, "guideline") for _ in range(2)]
            revised, _ = _draft(setup, "standard")
        finally:
            setup.close()
        before = len(ledger.sent)
        killed_after = _load_then_kill(first, tokens, ledger, voters, long_ballots, drafts, revised)
    finally:
        first.stop()

    load = ledger.sent[before:]
    acknowledged = [s for s in load if s.acknowledged]
    in_doubt = ledger.in_doubt()
    assert ledger.server_errors() == []
    assert "Traceback" not in first.output(), first.output()
    assert len(acknowledged) > 20, ledger.counts()
    assert in_doubt, "the kill should have caught requests in flight"

    # Restarted on the same database, the service works: one more vote is acknowledged.
    with running_server(env, tmp_path, log_name="second.log") as second:
        after = Client(second.url, tokens, ledger)
        try:
            assert cast_vote(after, long_ballots[0], "m00", "yes").acknowledged
        finally:
            after.close()
    _assert_second_run_clean(second)

    with database.reader() as session:
        problems = [
            *check_writes_in_log(session, ledger, ids),
            *check_last_votes_stored(session, ledger, ids),
            *check_closed_ballots(session),
            *_check_toggled_versions(session, ledger, drafts),
        ]
        verified = log_writer.verify(session)
        logged = entries_by_tag(session)
    with database.reader() as session:
        report = replay(session)
    committed = sum(1 for sent in in_doubt if sent.tag in logged)
    print(
        f"\n[{backend}] SIGKILL after {killed_after:.2f} s of load: {len(load)} requests, "
        f"{len(acknowledged)} acknowledged, {len(in_doubt)} in flight ({committed} of them "
        f"committed); {verified.checked} log entries verified; {report.summary()}"
    )

    assert verified.ok, verified
    assert report.ok, "\n".join(report.lines())
    assert not problems, summarize(problems)


def _load_then_kill(
    server: Server,
    tokens: dict[str, str],
    ledger: Ledger,
    voters: list[str],
    long_ballots: list[int],
    drafts: list[tuple[int, int]],
    revised: int,
) -> float:
    """Start every client thread, SIGKILL the server after LOAD_SECONDS, wait for the threads."""
    stop = threading.Event()
    members = voters[1:]
    jobs: list[tuple[Callable[..., None], tuple[Any, ...]]] = [
        (_voter, (stop, members[n::VOTER_THREADS], long_ballots)) for n in range(VOTER_THREADS)
    ]
    jobs += [(_toggler, (stop, drafts)), (_reviser, (stop, revised)), (_cycler, (stop, voters))]
    clients = [Client(server.url, tokens, ledger) for _ in jobs]
    crew = Crew(expect_kill=True)
    started = time.monotonic()
    for client, (work, args) in zip(clients, jobs, strict=True):
        crew.start(work, client, *args)
    time.sleep(LOAD_SECONDS)
    server.kill()
    killed_after = time.monotonic() - started
    stop.set()
    crew.check()
    for client in clients:
        client.close()
    return killed_after


def _check_toggled_versions(
    session: Any, ledger: Ledger, drafts: list[tuple[int, int]]
) -> list[str]:
    """Each toggled draft's stored version is its last acknowledged one (the filed one if none
    was: at SERIALIZABLE a short load may see every toggle answered try-again), or one more
    when the action in flight at the kill committed."""
    problems = []
    for proposal_id, filed in drafts:
        sents = [s for s in ledger.of("action") if f"/proposals/{proposal_id}/" in s.path]
        acknowledged = [filed, *(s.body["version"] for s in sents if s.acknowledged)]
        doubt = 1 if sents and sents[-1].in_doubt else 0
        stored = session.scalar(select(Proposal.version).where(Proposal.id == proposal_id))
        if not acknowledged[-1] <= stored <= acknowledged[-1] + doubt:
            problems.append(f"proposal {proposal_id}: stored v{stored}, acked {acknowledged[-3:]}")
    return problems


def _assert_second_run_clean(server: Server) -> None:
    output = server.output()
    assert "Traceback" not in output, output
    assert " 500 " not in output, output
