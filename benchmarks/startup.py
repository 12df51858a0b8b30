"""Start-up: how long the command line takes to answer and ``serve`` to answer its first request.

Measured, interleaved in rounds so both sides see the same machine load:

* ``governance-engine --help`` against a bare ``python -c pass`` (the interpreter's own start);
* ``import api.app`` (the app's import, in a fresh interpreter) against ``import fastapi``;
* ``governance-engine serve`` from process start to the first ``200`` of ``/health`` (on a
  migrated SQLite file, timers off) against a bare FastAPI app under uvicorn answering its
  first request.

Targets (issue "Speed", on an idle 2-core machine): ``--help`` under 0.5 s; serving the first
request under 1.5 s. The ratios to the bare baselines are printed too: they say how much of
the time is the project's own, whatever the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
HELP_TARGET = 0.5
FIRST_REQUEST_TARGET = 1.5

BARE_APP = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
"""


def console_script() -> str:
    found = shutil.which("governance-engine", path=str(Path(sys.executable).parent))
    if not found:
        sys.exit("benchmarks: install the package first: python3 -m pip install '.[test]'")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def first_answer(command: list[str], port: int, cwd: Path, env: dict[str, str]) -> float:
    """Seconds from spawning ``command`` to the first 200 from ``/health`` on ``port``."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            if process.poll() is not None:
                sys.exit(f"benchmarks: {command[0]} exited with {process.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.005)
            if time.perf_counter() - started > 60:
                sys.exit(f"benchmarks: {command[0]} did not answer within 60 s")
    finally:
        process.terminate()
        process.wait(timeout=20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    script = console_script()
    python = sys.executable
    results: dict[str, list[float]] = {
        "--help": [],
        "python -c pass": [],
        "import api.app": [],
        "import fastapi": [],
        "serve, first request": [],
        "bare uvicorn, first request": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench_") as tmp:
        workdir = Path(tmp)
        (workdir / "bare_start.py").write_text(BARE_APP, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOVERNANCE_")}
        env.update(
            {
                "GOVERNANCE_DATABASE_URL": f"sqlite:///{workdir / 'start.db'}",
                "GOVERNANCE_TICK_INTERVAL": "0",
                "GOVERNANCE_CHECKPOINT_INTERVAL": "0",
                "GOVERNANCE_DELIVERY_INTERVAL": "0",
                "GOVERNANCE_SIGNING_KEY": str(workdir / "keys" / "signing.pem"),
            }
        )
        subprocess.run([script, "db", "upgrade"], check=True, capture_output=True, env=env)
        for _ in range(args.rounds):
            results["--help"].append(timed([script, "--help"], env))
            results["python -c pass"].append(timed([python, "-c", "pass"], env))
            results["import api.app"].append(timed([python, "-c", "import api.app"], env))
            results["import fastapi"].append(timed([python, "-c", "import fastapi"], env))
            port = free_port()
            results["serve, first request"].append(
                first_answer([script, "serve", "--port", str(port)], port, workdir, env)
            )
            port = free_port()
            bare = [
                python,
                "-m",
                "uvicorn",
                "bare_start:app",
                "--no-access-log",
                "--port",
                str(port),
            ]
            results["bare uvicorn, first request"].append(first_answer(bare, port, workdir, env))

    medians = {name: statistics.median(times) for name, times in results.items()}
    print(f"{'what':32} {'median s':>9} {'min s':>7} {'max s':>7}   ({args.rounds} rounds)")
    for name, times in results.items():
        print(f"{name:32} {medians[name]:9.3f} {min(times):7.3f} {max(times):7.3f}")
    pairs = (
        ("--help", "python -c pass"),
        ("import api.app", "import fastapi"),
        ("serve, first request", "bare uvicorn, first request"),
    )
    for project, bare in pairs:
        print(f"ratio {project} / {bare}: {medians[project] / medians[bare]:.2f}x")
    verdicts = (
        ("--help", HELP_TARGET),
        ("serve, first request", FIRST_REQUEST_TARGET),
    )
    failed = False
    for name, target in verdicts:
        verdict = "PASS" if medians[name] < target else "MISS"
        failed |= verdict == "MISS"
        print(f"target {name} < {target} s: {medians[name]:.3f} s {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
