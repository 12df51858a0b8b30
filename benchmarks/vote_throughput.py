"""Votes per second through the service layer, against bare SQLAlchemy Core inserts.

Project: ``ballots.cast_vote`` in ``Database.transaction()``, one transaction per vote (the
vote row, the ballot's version, the log entry with its hash, the chain head, the outbox).
Baseline: in the same database with the same engine (WAL, busy timeout, BEGIN IMMEDIATE on
SQLite), one transaction per vote inserting a row into a plain table shaped like ``votes``
and one into a plain table shaped like ``log_entries`` (with a SHA-256 of the row).
The two run interleaved in rounds so a busy neighbour slows both alike.

    python benchmarks/vote_throughput.py [--votes 2000] [--members 50] [--postgres URL]
                                         [--webhook]

With ``--webhook`` a webhook subscription wants every vote event, so each vote also stores
its outbox event and a pending delivery (the delivery worker is not running).

Target: project / baseline >= 0.5 (votes per second). Exit 1 when missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from datetime import UTC, datetime

import _setup
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
)

from governance_engine.services import ballots, webhook_subscriptions

TARGET = 0.5

bare = MetaData()
bare_votes = Table(
    "bench_bare_votes",
    bare,
    Column("id", Integer, primary_key=True),
    Column("ballot_id", Integer, nullable=False),
    Column("voter_id", Integer, nullable=False),
    Column("choice", String(32), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("entered_by_id", Integer, nullable=False),
    Column("cast_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("changes", Integer, nullable=False),
)
bare_log = Table(
    "bench_bare_log",
    bare,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Integer),
    Column("action", String(64), nullable=False),
    Column("subject_type", String(32), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("proposal_id", Integer),
    Column("body_id", Integer),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)


def run_service(world: _setup.BenchWorld, start: int, count: int) -> float:
    database = world.database
    voters = world.voters
    began = time.perf_counter()
    for number in range(start, start + count):
        actor = voters[number % len(voters)]
        choice = "yes" if (number // len(voters)) % 2 == 0 else "no"
        with database.transaction() as session:
            ballots.cast_vote(
                session,
                actor=actor,
                at=datetime.now(UTC),
                ballot_id=world.ballot_id,
                choice=choice,
            )
    return time.perf_counter() - began


class BareState:
    def __init__(self) -> None:
        self.seq = 0
        self.prev = "0" * 64


def run_bare(world: _setup.BenchWorld, state: BareState, start: int, count: int) -> float:
    engine = world.database.engine
    voters = world.voters
    began = time.perf_counter()
    for number in range(start, start + count):
        voter = voters[number % len(voters)].person_id
        at = datetime.now(UTC)
        choice = "yes" if (number // len(voters)) % 2 == 0 else "no"
        payload = {"voter_id": voter, "choice": choice, "rationale": ""}
        state.seq += 1
        document = json.dumps(
            {"seq": state.seq, "at": at.isoformat(), "payload": payload},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        digest = hashlib.sha256(state.prev.encode() + document).hexdigest()
        with engine.begin() as connection:
            connection.execute(
                insert(bare_votes).values(
                    ballot_id=world.ballot_id,
                    voter_id=voter,
                    choice=choice,
                    rationale="",
                    entered_by_id=voter,
                    cast_at=at,
                    updated_at=at,
                    changes=0,
                )
            )
            connection.execute(
                insert(bare_log).values(
                    seq=state.seq,
                    recorded_at=at,
                    actor_id=voter,
                    action="vote.cast",
                    subject_type="ballot",
                    subject_id=str(world.ballot_id),
                    proposal_id=world.proposal_id,
                    body_id=world.body_id,
                    payload=json.dumps(payload),
                    prev_hash=state.prev,
                    hash=digest,
                )
            )
        state.prev = digest
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=2000, help="votes per side (default 2000)")
    parser.add_argument("--members", type=int, default=50, help="voting members (default 50)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds (default 4)")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server URL (else SQLite)")
    parser.add_argument("--webhook", action="store_true", help="a subscription wants vote.*")
    args = parser.parse_args(argv)

    with _setup.bench_database(args.postgres) as url:
        database = _setup.migrated(url)
        try:
            bare.create_all(database.engine)  # the baseline's own plain tables
            world = _setup.build_world(database, args.members)
            if args.webhook:
                with database.transaction() as session:
                    webhook_subscriptions.create_subscription(
                        session,
                        actor=world.admin,
                        at=datetime.now(UTC),
                        url="https://hooks.example.org/bench",
                        event_types=["vote.*"],
                        secret=None,
                    )
            # Warm up both paths (compiled statement caches, connection pool).
            state = BareState()
            run_service(world, 0, min(20, args.votes))
            run_bare(world, state, 0, min(20, args.votes))
            per_round = max(1, args.votes // args.rounds)
            service_time = bare_time = 0.0
            done = 0
            for _round in range(args.rounds):
                bare_time += run_bare(world, state, 20 + done, per_round)
                service_time += run_service(world, 20 + done, per_round)
                done += per_round
            backend = database.backend
        finally:
            database.dispose()

    service_rate = done / service_time
    bare_rate = done / bare_time
    ratio = service_rate / bare_rate
    ok = ratio >= TARGET
    webhook = ", a webhook subscribed to vote.*" if args.webhook else ""
    print(f"vote_throughput on {backend}: {done} votes per side, {args.members} members{webhook}")
    print(f"  project  cast_vote       {service_rate:9.1f} votes/s  ({service_time:.2f} s)")
    print(f"  baseline Core inserts    {bare_rate:9.1f} votes/s  ({bare_time:.2f} s)")
    print(f"  ratio {ratio:.2f} (target >= {TARGET})  {_setup.verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
