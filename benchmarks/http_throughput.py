"""Votes per second over HTTP from 16 clients: ``governance-engine serve`` against a bare app.

Project: ``governance-engine serve --workers 2`` on a fresh PostgreSQL database (timers
off), each client voting as a different elector with that person's bearer token, changing
its vote each time. Baseline: ``_bare_app.py`` under uvicorn with 2 workers, doing a vote
insert and a log-like insert per request on the same database. Loopback only. Both servers
run for the whole measurement and are loaded in turn, in interleaved rounds.

    python benchmarks/http_throughput.py [--postgres URL] [--clients 16] [--seconds 8]

Target: project / baseline >= 0.6 (votes per second). Exit 1 if missed.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import _setup
import httpx
from vote_throughput import bare

TARGET = 0.6
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def load(
    base_url: str, paths: list[str], headers: list[dict[str, str]], seconds: float
) -> tuple[int, int, list[float], float]:
    """Each client posts votes in a loop until time is up; returns ok, errors, latencies (ms)."""
    latencies: list[list[float]] = [[] for _ in paths]
    errors = [0] * len(paths)
    start = threading.Barrier(len(paths) + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        with httpx.Client(base_url=base_url, headers=headers[index], timeout=30.0) as http:
            start.wait()
            number = 0
            while time.perf_counter() < deadline[0]:
                choice = "yes" if number % 2 == 0 else "no"
                number += 1
                began = time.perf_counter()
                response = http.post(paths[index], json={"choice": choice})
                elapsed = (time.perf_counter() - began) * 1000
                if response.status_code in (200, 201):
                    latencies[index].append(elapsed)
                else:
                    errors[index] += 1
                    if errors[index] == 1:
                        print(f"    client {index}: {response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(index,)) for index in range(len(paths))]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [value for values in latencies for value in values]
    return len(flat), sum(errors), flat, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_SERVER)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0, help="load time per side")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds (default 4)")
    args = parser.parse_args(argv)

    executable = Path(sys.executable).parent / "governance-engine"
    with _setup.postgres_url(args.postgres) as url, tempfile.TemporaryDirectory() as keys:
        database = _setup.migrated(url)
        try:
            bare.create_all(database.engine)
            world = _setup.build_world(database, args.clients)
            tokens = _setup.issue_tokens(world, world.voter_people)
            voter_ids = [actor.person_id for actor in world.voters]
        finally:
            database.dispose()
        env = {
            **os.environ,
            "GOVERNANCE_DATABASE_URL": url,
            "GOVERNANCE_TICK_INTERVAL": "0",
            "GOVERNANCE_CHECKPOINT_INTERVAL": "0",
            "GOVERNANCE_DELIVERY_INTERVAL": "0",
            "GOVERNANCE_SIGNING_KEY": str(Path(keys) / "signing.pem"),
            "GOVERNANCE_RATE_LIMIT_WRITES": "0",  # measure the engine, not the limit
            "BENCH_DATABASE_URL": url,
            "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)]),
        }
        bare_port, serve_port = free_port(), free_port()
        bare_server = subprocess.Popen(
            [
                *(
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "_bare_app:app",
                    "--no-access-log",
                    "--port",
                    str(bare_port),
                ),
                *("--workers", str(args.workers), "--log-level", "warning"),
            ],
            env=env,
            cwd=HERE,
        )
        serve = subprocess.Popen(
            [str(executable), "serve", "--port", str(serve_port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        sides = {
            "baseline bare FastAPI": (
                f"http://127.0.0.1:{bare_port}",
                [f"/ballots/{world.ballot_id}/votes/{voter}" for voter in voter_ids],
                [{}] * len(voter_ids),
            ),
            "project serve": (
                f"http://127.0.0.1:{serve_port}",
                [f"/api/v1/ballots/{world.ballot_id}/votes"] * len(tokens),
                [{"Authorization": f"Bearer {token}"} for token in tokens],
            ),
        }
        results: dict[str, tuple[int, int, list[float], float]] = {
            name: (0, 0, [], 0.0) for name in sides
        }
        try:
            wait_ready(f"http://127.0.0.1:{bare_port}/openapi.json", bare_server)
            wait_ready(f"http://127.0.0.1:{serve_port}/health", serve)
            for base, paths, headers in sides.values():
                load(base, paths, headers, 1.0)  # warm-up
            # Interleaved rounds, so a change in a neighbour's load touches both sides alike.
            for _round in range(args.rounds):
                for name, (base, paths, headers) in sides.items():
                    ok, errors, latencies, elapsed = load(
                        base, paths, headers, args.seconds / args.rounds
                    )
                    total = results[name]
                    results[name] = (
                        total[0] + ok,
                        total[1] + errors,
                        total[2] + latencies,
                        total[3] + elapsed,
                    )
        finally:
            stop(bare_server)
            stop(serve)

    print(
        f"http_throughput on PostgreSQL: {args.clients} clients, {args.workers} workers each,"
        f" {args.rounds} interleaved rounds of {args.seconds / args.rounds:.1f} s per side"
    )
    rates = {}
    for name, (ok, errors, latencies, elapsed) in results.items():
        rates[name] = ok / elapsed
        print(
            f"  {name:22} {rates[name]:8.1f} votes/s  ({ok} ok, {errors} errors in {elapsed:.1f} s)"
            f"  p50 {_setup.percentile(latencies, 0.5):7.1f} ms"
            f"  p99 {_setup.percentile(latencies, 0.99):7.1f} ms"
        )
    ratio = rates["project serve"] / rates["baseline bare FastAPI"]
    passed = ratio >= TARGET
    print(f"  ratio {ratio:.2f} (target >= {TARGET})  {_setup.verdict(passed)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
