"""``log verify`` throughput against a bare hashlib loop, and its memory as the log grows.

Project: ``persistence.log_writer.verify`` on a database holding L entries (streamed from
the database, recomputing every hash). Baseline: a SHA-256 chain over the same canonical
JSON bytes, precomputed in memory. Memory: tracemalloc peak of a verify at L and at 4L.
Also printed, for scale: reading the same rows through the bare DB-API driver with no
processing at all, which bounds what any verifier that reads the database can reach.

    python benchmarks/verify.py [--entries 20000] [--postgres URL]

Targets: entries/s ratio >= 0.5; peak memory at 4L < 2x the peak at L. Exit 1 if missed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import tracemalloc

import _generate
import _setup

from governance_engine.log import canonical_json
from governance_engine.persistence import log_writer

TARGET = 0.5
MEMORY_GROWTH_LIMIT = 2.0


def project_verify(world: _setup.BenchWorld) -> tuple[float, int]:
    with world.database.reader() as session:
        began = time.perf_counter()
        result = log_writer.verify(session)
        elapsed = time.perf_counter() - began
    if not result.ok:
        raise SystemExit(f"generated log does not verify: {result.describe()}")
    return elapsed, result.checked


def bare_inputs(world: _setup.BenchWorld) -> list[tuple[bytes, str]]:
    with world.database.reader() as session:
        return [
            (canonical_json(log_writer.to_stored(entry).content.as_document()), entry.hash)
            for entry in log_writer.iter_entries(session)
        ]


def bare_verify(inputs: list[tuple[bytes, str]]) -> float:
    began = time.perf_counter()
    prev = "0" * 64
    for document, stored in inputs:
        digest = hashlib.sha256()
        digest.update(prev.encode("ascii"))
        digest.update(document)
        prev = digest.hexdigest()
        if prev != stored:
            raise SystemExit("baseline chain mismatch")
    return time.perf_counter() - began


def raw_read(world: _setup.BenchWorld) -> float:
    """Seconds to fetch every entry's columns through the bare driver, doing nothing else."""
    with world.database.reader() as session:
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            began = time.perf_counter()
            cursor.execute(
                "SELECT seq, recorded_at, actor_id, action, subject_type, subject_id,"
                " proposal_id, body_id, payload, prev_hash, hash FROM log_entries ORDER BY seq"
            )
            while cursor.fetchmany(2000):
                pass
            return time.perf_counter() - began
        finally:
            cursor.close()


def verify_peak(world: _setup.BenchWorld) -> float:
    tracemalloc.start()
    try:
        project_verify(world)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000, help="L, log entries (default)")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server URL (else SQLite)")
    args = parser.parse_args(argv)

    with _setup.bench_database(args.postgres) as url:
        database = _setup.migrated(url)
        try:
            world = _setup.build_world(database, 20)
            _generate.append_log(world, args.entries)
            project_verify(world)  # warm-up (page cache, statement cache)
            inputs = bare_inputs(world)
            project_times, bare_times, read_times = [], [], []
            for _ in range(3):
                project_time, checked = project_verify(world)
                project_times.append(project_time)
                bare_times.append(bare_verify(inputs))
                read_times.append(raw_read(world))
            del inputs
            peak_small = verify_peak(world)
            _generate.append_log(world, args.entries * 3)
            peak_large = verify_peak(world)
            _large_time, checked_large = project_verify(world)
            backend = database.backend
        finally:
            database.dispose()

    project_rate = checked / min(project_times)
    bare_rate = checked / min(bare_times)
    read_rate = checked / min(read_times)
    ratio = project_rate / bare_rate
    growth = peak_large / peak_small
    ok_rate = ratio >= TARGET
    ok_memory = growth < MEMORY_GROWTH_LIMIT
    print(f"verify on {backend}: L = {checked} entries (best of 3)")
    print(f"  project  log_writer.verify {project_rate:11.0f} entries/s")
    print(f"  baseline hashlib chain     {bare_rate:11.0f} entries/s")
    print(f"  ratio {ratio:.3f} (target >= {TARGET})  {_setup.verdict(ok_rate)}")
    print(
        f"  for scale: bare driver reading the rows, no hashing {read_rate:11.0f} entries/s"
        f" (ratio {read_rate / bare_rate:.3f} to the baseline)"
    )
    print(
        f"  tracemalloc peak: {peak_small:.2f} MiB at {checked} entries, {peak_large:.2f} MiB at"
        f" {checked_large} entries: x{growth:.2f} (target < x{MEMORY_GROWTH_LIMIT})"
        f"  {_setup.verdict(ok_memory)}"
    )
    print(f"  process peak RSS {_setup.peak_rss_mib():.0f} MiB (includes the baseline's inputs)")
    return 0 if ok_rate and ok_memory else 1


if __name__ == "__main__":
    sys.exit(main())
