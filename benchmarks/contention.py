"""Writers under contention: N clients voting through ``serve --workers W`` on PostgreSQL.

Four cases, each on its own server and a fresh database: every client votes on a ballot of its
own (distinct proposals) or all on one shared ballot, at READ COMMITTED and at SERIALIZABLE
(``GOVERNANCE_DB_ISOLATION``). Every request changes the client's vote and carries a unique tag
(its rationale). Printed per case: votes acknowledged per second, p50/p99 latency of the
acknowledged ones, counts of 409, 503 try-again and other 5xx answers, and, from the decision
log afterwards, acknowledged votes missing from it (lost), tags logged more than once
(duplicated) and refused votes logged anyway; then ``governance-engine log verify``.
Baseline, measured in the same run with the same clients: ``_bare_app.py`` (FastAPI + Core,
a vote insert and a log-like insert per request, no chain head) under uvicorn with W workers.

    python benchmarks/contention.py [--postgres URL] [--clients 16] [--workers 2] [--seconds 15]

Exit 1 when a vote was lost or duplicated, a 5xx other than 503 try-again was answered, or the
log does not verify. Throughput is reported, not judged (the ratio to the bare app is printed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import _setup
import httpx
from http_throughput import free_port, stop, wait_ready
from sqlalchemy import select
from vote_throughput import bare

from governance_engine.clock import SystemClock
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import LogEntry
from governance_engine.services import ballots, proposals

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
HERE = Path(__file__).resolve().parent
EXECUTABLE = Path(sys.executable).parent / "governance-engine"


@dataclass
class Tally:
    """What the clients of one case saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)  # tags answered 2xx
    refused: list[str] = field(default_factory=list)  # tags answered 4xx/5xx
    elapsed: float = 0.0
    tracebacks: int = 0


def _open_ballots(world: _setup.BenchWorld, count: int) -> list[int]:
    """``count`` more proposals of the benchmark body, each with its ballot open."""
    clock = SystemClock()
    opened = []
    for number in range(count):
        with world.database.transaction() as session:
            proposal = proposals.file_proposal(
                session,
                actor=world.chair,
                at=clock.now(),
                catalog=world.catalog,
                kind="standard",
                title=f"Benchmark standard {number}",
                sponsor_slug="wg-bench",
                text=_setup.SPEC,
            )
            proposals.take_action(
                session,
                actor=world.chair,
                at=clock.now(),
                catalog=world.catalog,
                proposal_id=proposal.id,
                action="submit",
            )
            ballot = ballots.open_ballot(
                session,
                actor=world.chair,
                at=clock.now(),
                catalog=world.catalog,
                proposal_id=proposal.id,
                deadline=clock.now() + timedelta(days=30),
            )
            opened.append(ballot.id)
    return opened


def load(base_url: str, paths: list[str], headers: list[dict[str, str]], seconds: float) -> Tally:
    """Each client posts tagged votes in a loop until time is up."""
    tally = Tally()
    lock = threading.Lock()
    start = threading.Barrier(len(paths) + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        with httpx.Client(base_url=base_url, headers=headers[index], timeout=60.0) as http:
            start.wait()
            number = 0
            while time.perf_counter() < deadline[0]:
                tag = f"bench-{uuid.uuid4().hex[:16]}"
                body = {"choice": "yes" if number % 2 == 0 else "no", "rationale": tag}
                number += 1
                began = time.perf_counter()
                try:
                    response = http.post(paths[index], json=body)
                except httpx.TransportError:
                    with lock:
                        tally.statuses["no answer"] += 1
                    continue
                elapsed = (time.perf_counter() - began) * 1000
                status = response.status_code
                kind = str(status)
                if status >= 500:
                    kind = "503 try-again" if _try_again(response) else f"{status} (5xx)"
                with lock:
                    tally.statuses[kind] += 1
                    if 200 <= status < 300:
                        tally.latencies.append(elapsed)
                        tally.acknowledged.append(tag)
                    else:
                        tally.refused.append(tag)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(len(paths))]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    tally.elapsed = time.perf_counter() - began
    return tally


def _try_again(response: httpx.Response) -> bool:
    if response.status_code != 503 or "json" not in response.headers.get("content-type", ""):
        return False
    return str(response.json().get("type", "")).endswith(":try-again")


def _server_env(url: str, keys: str, isolation: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GOVERNANCE_")},
        "GOVERNANCE_DATABASE_URL": url,
        "GOVERNANCE_DB_ISOLATION": isolation,
        "GOVERNANCE_TICK_INTERVAL": "0",
        "GOVERNANCE_CHECKPOINT_INTERVAL": "0",
        "GOVERNANCE_DELIVERY_INTERVAL": "0",
        "GOVERNANCE_SIGNING_KEY": str(Path(keys) / "signing.pem"),
        "BENCH_DATABASE_URL": url,
        "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)]),
    }


@dataclass
class Checked:
    lost: int
    duplicated: int
    refused_but_logged: int
    verified: bool


def _check(url: str, env: dict[str, str], tally: Tally) -> Checked:
    database = Database(url)
    try:
        with database.reader() as session:
            logged = Counter(
                str(payload.get("rationale", ""))
                for payload in session.scalars(
                    select(LogEntry.payload).where(
                        LogEntry.action.in_(["vote.cast", "vote.changed"])
                    )
                )
            )
    finally:
        database.dispose()
    verify = subprocess.run(
        [str(EXECUTABLE), "log", "verify"], env=env, capture_output=True, text=True, check=False
    )
    return Checked(
        lost=sum(1 for tag in tally.acknowledged if logged[tag] == 0),
        duplicated=sum(
            1 for tag, count in logged.items() if tag.startswith("bench-") and count > 1
        ),
        refused_but_logged=sum(1 for tag in tally.refused if logged[tag] > 0),
        verified=verify.returncode == 0,
    )


def run_case(
    server_url: str, *, isolation: str, shared: bool, clients: int, workers: int, seconds: float
) -> tuple[Tally, Checked]:
    with _setup.postgres_url(server_url) as url, tempfile.TemporaryDirectory() as keys:
        database = _setup.migrated(url)
        try:
            world = _setup.build_world(database, clients)
            tokens = _setup.issue_tokens(world, world.voter_people)
            ballot_ids = [world.ballot_id] * clients if shared else _open_ballots(world, clients)
        finally:
            database.dispose()
        env = _server_env(url, keys, isolation)
        port = free_port()
        log = Path(keys) / "serve.log"
        with log.open("wb") as output:
            serve = subprocess.Popen(
                [str(EXECUTABLE), "serve", "--port", str(port), "--workers", str(workers)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        paths = [f"/api/v1/ballots/{ballot_id}/votes" for ballot_id in ballot_ids]
        headers = [{"Authorization": f"Bearer {token}"} for token in tokens]
        try:
            wait_ready(f"{base}/health", serve)
            load(base, paths, headers, 1.0)  # warm-up
            tally = load(base, paths, headers, seconds)
        except SystemExit:
            print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            stop(serve)
        output_text = log.read_text(errors="replace")
        tally.tracebacks = output_text.count("Traceback")
        return tally, _check(url, env, tally)


def run_baseline(server_url: str, *, clients: int, workers: int, seconds: float) -> Tally:
    with _setup.postgres_url(server_url) as url:
        database = _setup.migrated(url)
        try:
            bare.create_all(database.engine)
        finally:
            database.dispose()
        env = _server_env(url, tempfile.gettempdir(), "read_committed")
        port = free_port()
        server = subprocess.Popen(
            [
                *(
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "_bare_app:app",
                    "--no-access-log",
                    "--port",
                    str(port),
                ),
                *("--workers", str(workers), "--log-level", "warning"),
            ],
            env=env,
            cwd=HERE,
        )
        base = f"http://127.0.0.1:{port}"
        paths = [f"/ballots/1/votes/{voter}" for voter in range(1, clients + 1)]
        try:
            wait_ready(f"{base}/openapi.json", server)
            load(base, paths, [{}] * clients, 1.0)
            return load(base, paths, [{}] * clients, seconds)
        finally:
            stop(server)


def _line(name: str, tally: Tally, baseline: float) -> str:
    rate = len(tally.acknowledged) / tally.elapsed if tally.elapsed else 0.0
    statuses = tally.statuses
    fives = sum(count for kind, count in statuses.items() if kind.endswith("(5xx)"))
    return (
        f"  {name:34} {rate:7.1f} votes/s ({rate / baseline:4.2f}x bare)"
        f"  p50 {_setup.percentile(tally.latencies, 0.5):7.1f} ms"
        f"  p99 {_setup.percentile(tally.latencies, 0.99):7.1f} ms"
        f"  2xx {len(tally.acknowledged)}  409 {statuses['409']}"
        f"  503 {statuses['503 try-again']}  other 5xx {fives}  no answer {statuses['no answer']}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_SERVER)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15.0, help="load time per case")
    parser.add_argument(
        "--isolation",
        choices=["read_committed", "serializable"],
        action="append",
        help="only this isolation (may be repeated; default: both)",
    )
    args = parser.parse_args(argv)

    sizes = {"clients": args.clients, "workers": args.workers, "seconds": args.seconds}
    baseline = run_baseline(args.postgres, **sizes)
    baseline_rate = len(baseline.acknowledged) / baseline.elapsed
    print(
        f"contention on PostgreSQL: {args.clients} clients, serve --workers {args.workers},"
        f" {args.seconds:.0f} s per case"
    )
    print(
        f"  {'baseline bare FastAPI':34} {baseline_rate:7.1f} votes/s"
        f"  p50 {_setup.percentile(baseline.latencies, 0.5):7.1f} ms"
        f"  p99 {_setup.percentile(baseline.latencies, 0.99):7.1f} ms"
    )
    ok = True
    for isolation in args.isolation or ["read_committed", "serializable"]:
        for shared in (False, True):
            name = f"{isolation}, {'one shared ballot' if shared else 'distinct proposals'}"
            tally, checked = run_case(args.postgres, isolation=isolation, shared=shared, **sizes)
            print(_line(name, tally, baseline_rate))
            print(
                f"  {'':34} lost {checked.lost}, duplicated {checked.duplicated},"
                f" refused but logged {checked.refused_but_logged},"
                f" log verify {'ok' if checked.verified else 'FAILED'}"
            )
            fives = sum(n for kind, n in tally.statuses.items() if kind.endswith("(5xx)"))
            ok = ok and checked.verified and fives == 0
            ok = ok and not (checked.lost or checked.duplicated or checked.refused_but_logged)
    print(f"  {_setup.verdict(ok)} (nothing lost or duplicated, no 5xx but 503 try-again)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
