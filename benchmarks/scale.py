"""Read latency and queries per request at scale, in-process, against a bare primary-key SELECT.

A generator bulk-loads N proposals, M votes and L log entries (a valid chain), then the real
ASGI app (``api.app.create_app``, through Starlette's TestClient, with an auditor's bearer
token) serves: the proposal list (first page and a deep page by cursor), one proposal, one
ballot, a deep page of the log, and an inclusion and a consistency proof in the middle of
the log (after one checkpoint has been signed, as ``serve`` does periodically). Every SQL
statement the app's engine runs is counted with a ``before_cursor_execute`` listener.
Baseline: a bare ``SELECT ... WHERE id = ?`` on the proposals table through the same engine,
timed in the same run.

    python benchmarks/scale.py [--proposals 2000 --votes 20000 --log-entries 40000]
                               [--requests 50] [--postgres URL]

Targets: p50 < 20 ms per request; queries per request constant and <= 6. Exit 1 if missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _generate
import _setup
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import event, select
from starlette.testclient import TestClient

from api.app import create_app
from api.pagination import encode_cursor
from governance_engine.config import Settings
from governance_engine.config_access import AccessSettings
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Proposal
from governance_engine.services import checkpoints

P50_TARGET_MS = 20.0
QUERY_LIMIT = 6


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # SQLite's explicit BEGIN / BEGIN IMMEDIATE (PostgreSQL's is implicit) is not a query.
        if not statement.lstrip().upper().startswith("BEGIN"):
            self.statements.append(" ".join(statement.split()))


def measure(client: TestClient, counter: QueryCounter, path: str, requests: int) -> dict[str, Any]:
    client.get(path)  # warm-up
    latencies: list[float] = []
    counts: list[int] = []
    last: list[str] = []
    for _ in range(requests):
        counter.statements.clear()
        began = time.perf_counter()
        response = client.get(path)
        latencies.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}: {response.text[:300]}")
        counts.append(len(counter.statements))
        last = list(counter.statements)
    return {"latencies": latencies, "counts": sorted(set(counts)), "statements": last}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=2_000)
    parser.add_argument("--votes", type=int, default=20_000)
    parser.add_argument("--log-entries", type=int, default=40_000)
    parser.add_argument("--members", type=int, default=20, help="voting members per ballot")
    parser.add_argument("--requests", type=int, default=50, help="requests per route")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server URL (else SQLite)")
    args = parser.parse_args(argv)

    results: dict[str, dict[str, Any]] = {}
    with _setup.bench_database(args.postgres) as url, tempfile.TemporaryDirectory() as keys:
        database = _setup.migrated(url)
        try:
            world = _setup.build_world(database, args.members)
            loaded = _generate.load(
                world, proposals=args.proposals, votes=args.votes, log_entries=args.log_entries
            )
            (token,) = _setup.issue_tokens(world, [_auditor_person(world)])
            backend = database.backend
            checkpoint_seconds = _first_checkpoint(database)
        finally:
            database.dispose()
        print(
            f"scale on {backend}: generated {loaded.proposals} proposals, {loaded.ballots} ballots,"
            f" {loaded.votes} votes, {loaded.log_entries} log entries in {loaded.seconds:.1f} s"
        )
        print(
            f"  first checkpoint (reads every entry once, stores its block roots)"
            f" {checkpoint_seconds:.1f} s"
        )
        settings = Settings(
            database_url=url,
            tick_interval=0,
            checkpoint_interval=0,
            delivery_interval=0,
            signing_key_path=Path(keys) / "signing.pem",
            access=AccessSettings(rate_limit_writes=0),  # measure the engine, not the limit
        )
        app = create_app(settings)
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
            engine = app.state.database.engine
            counter = QueryCounter()
            event.listen(engine, "before_cursor_execute", counter)
            middle_proposal = loaded.first_proposal_id + args.proposals // 2
            deep_after = loaded.first_proposal_id + max(0, args.proposals - 60)
            middle_ballot = loaded.first_ballot_id + loaded.ballots // 2
            middle_entry = args.log_entries // 2 + 7  # not on a block boundary
            routes = {
                "proposal list, first page": "/api/v1/proposals",
                "proposal list, deep page": f"/api/v1/proposals?cursor={encode_cursor(deep_after)}",
                "proposal page": f"/api/v1/proposals/{middle_proposal}",
                "ballot page": f"/api/v1/ballots/{middle_ballot}",
                "log page, deep": f"/api/v1/log?cursor={encode_cursor(args.log_entries // 2)}",
                "inclusion proof, mid-log": f"/api/v1/log/proofs/inclusion?seq={middle_entry}",
                "consistency proof": f"/api/v1/log/proofs/consistency?first={middle_entry}",
            }
            for name, path in routes.items():
                results[name] = measure(client, counter, path, args.requests)
            event.remove(engine, "before_cursor_execute", counter)
            baseline = []
            statement = select(Proposal.__table__).where(Proposal.__table__.c.id == middle_proposal)
            with engine.connect() as connection:
                for _ in range(args.requests * 10):
                    began = time.perf_counter()
                    connection.execute(statement).one()
                    baseline.append((time.perf_counter() - began) * 1000)

    base_p50 = _setup.percentile(baseline, 0.5)
    print(
        f"  baseline bare SELECT by primary key: p50 {base_p50:.3f} ms,"
        f" p99 {_setup.percentile(baseline, 0.99):.3f} ms"
    )
    ok = True
    offenders: dict[str, list[str]] = defaultdict(list)
    for name, result in results.items():
        p50 = _setup.percentile(result["latencies"], 0.5)
        p99 = _setup.percentile(result["latencies"], 0.99)
        counts = result["counts"]
        fast = p50 < P50_TARGET_MS
        few = max(counts) <= QUERY_LIMIT and len(counts) == 1
        ok &= fast and few
        if not few:
            offenders[name] = result["statements"]
        print(
            f"  {name:27} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  x{p50 / base_p50:6.0f} baseline"
            f"  queries {'/'.join(map(str, counts))}  latency {_setup.verdict(fast)}"
            f"  queries {_setup.verdict(few)}"
        )
    print(f"  peak RSS of the process {_setup.peak_rss_mib():.0f} MiB")
    for name, statements in offenders.items():
        print(f"  queries of {name} ({len(statements)}):")
        for number, statement in enumerate(statements, 1):
            print(f"    {number}. {statement[:400]}")
    return 0 if ok else 1


def _first_checkpoint(database: Database) -> float:
    """Sign a checkpoint of the generated log, as ``serve`` does periodically; its seconds."""
    began = time.perf_counter()
    with database.transaction() as session:
        checkpoints.create_checkpoint(
            session, at=datetime.now(UTC), key=Ed25519PrivateKey.generate()
        )
    return time.perf_counter() - began


def _auditor_person(world: _setup.BenchWorld) -> Any:
    from governance_engine.persistence.models import Person

    with world.database.reader() as session:
        return session.get(Person, world.auditor.person_id)


if __name__ == "__main__":
    sys.exit(main())
