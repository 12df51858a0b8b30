"""``governance-engine serve`` as a real subprocess on loopback: start, wait, kill, stop.

The server runs in its own process group, so ``kill()`` (SIGKILL) and ``stop()`` (SIGTERM)
reach uvicorn's worker processes too, and nothing else. Its stdout and stderr go to one
file the test can read afterwards (``output()``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

from testkit.cli import console_script, free_port
from testkit.isolation import ISOLATION


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 40) -> None:
        """Until ``/health`` answers 200 with the database reachable."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"serve exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                response = httpx.get(f"{self.url}/health", timeout=2)
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve did not answer within {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown handler, no flush, no goodbye."""
        self._signal(signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        """SIGTERM (uvicorn's graceful shutdown); SIGKILL if it does not go within 20 s."""
        if self.process.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, signum: int) -> None:
        with suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signum)


def serve_env(
    database_url: str,
    key_path: Path,
    *,
    tick_interval: float,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment ``serve`` gets: ours without GOVERNANCE_*, then the settings given.

    The isolation is the suite's (``GOVERNANCE_DB_ISOLATION``) unless ``extra`` says otherwise.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVERNANCE_")}
    env.update(
        {
            "GOVERNANCE_DATABASE_URL": database_url,
            "GOVERNANCE_DB_ISOLATION": ISOLATION,
            "GOVERNANCE_TICK_INTERVAL": str(tick_interval),
            "GOVERNANCE_CHECKPOINT_INTERVAL": "0",
            "GOVERNANCE_DELIVERY_INTERVAL": "0",
            "GOVERNANCE_SIGNING_KEY": str(key_path),
            "GOVERNANCE_RATE_LIMIT_WRITES": "1000000",  # see testkit.http.UNTHROTTLED
            "GOVERNANCE_RATE_LIMIT_BURST": "1000000",
        }
    )
    env.update(extra or {})
    return env


def start_server(
    env: dict[str, str],
    cwd: Path,
    *,
    workers: int = 1,
    log_name: str = "serve.log",
    args: Sequence[str] = (),
) -> Server:
    port = free_port()
    log_path = cwd / log_name
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            [console_script(), "serve", "--port", str(port), "--workers", str(workers), *args],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(process, port, log_path)


@contextmanager
def running_server(
    env: dict[str, str],
    cwd: Path,
    *,
    workers: int = 1,
    log_name: str = "serve.log",
    args: Sequence[str] = (),
) -> Iterator[Server]:
    """A started, answering server; stopped (or already killed) on leaving."""
    server = start_server(env, cwd, workers=workers, log_name=log_name, args=args)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
