from __future__ import annotations

import re
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from testkit.cli import console_script, free_port, run_cli

from governance_engine.persistence import log_writer, migrate
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Ballot, Proposal
from governance_engine.services import identity

ROLES = ["chair", "member", "secretary", "auditor", "admin"]
TOKEN_ROW = re.compile(
    r"^\s+(?P<role>chair|member|secretary|auditor|admin)\s+(?P<name>\S.*?)\s+"
    r"(?P<email>\S+@\S+)\s+(?P<token>ge_\S+)$",
    re.MULTILINE,
)


def tokens_in(output: str) -> dict[str, str]:
    return {match["role"]: match["token"] for match in TOKEN_ROW.finditer(output)}


def test_demo_has_help(tmp_path: Path) -> None:
    result = run_cli("demo", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "empty" in result.stdout
    assert "--demo" in run_cli("serve", "--help", cwd=tmp_path).stdout


def test_demo_prints_one_working_token_per_role_then_refuses_to_run_again(
    database_url: str, tmp_path: Path
) -> None:
    result = run_cli("demo", cwd=tmp_path, database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "demo seeded: 12 organizations, 33 people" in result.stdout
    tokens = tokens_in(result.stdout)
    assert list(tokens) == ROLES
    database = Database(database_url)
    try:
        with database.reader() as session:
            now = datetime.now(UTC)
            for token in tokens.values():
                identity.authenticate(session, token=token, at=now)
            assert log_writer.verify(session).ok
    finally:
        database.dispose()
    again = run_cli("demo", cwd=tmp_path, database_url=database_url)
    assert again.returncode == 1
    assert "Traceback" not in again.stderr
    assert again.stderr.strip() == (
        "governance-engine: error: the database already has people; "
        "the demo seeds only an empty database"
    )


def test_demo_on_a_fresh_sqlite_path_creates_migrates_and_seeds_it(tmp_path: Path) -> None:
    path = tmp_path / "not-yet" / "new.db"
    assert not path.parent.exists()
    result = run_cli("demo", cwd=tmp_path, database_url=f"sqlite:///{path}")
    assert result.returncode == 0, result.stderr
    assert "demo seeded: 12 organizations" in result.stdout
    assert path.exists()
    database = Database(f"sqlite:///{path}")
    try:
        migrate.ensure_current(database.engine)
        with database.reader() as session:
            assert log_writer.verify(session).ok
    finally:
        database.dispose()


def test_demo_refuses_an_unmigrated_postgresql_database(
    backend: str, empty_database_url: str, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite files are created and migrated; PostgreSQL is migrated explicitly")
    result = run_cli("demo", cwd=tmp_path, database_url=empty_database_url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "db upgrade" in result.stderr


def _serve_demo(directory: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as output:
        return subprocess.Popen(
            [console_script(), "serve", "--demo", "--port", str(port)],
            cwd=directory,
            # A fast tick: the demo's open ballots must survive it.
            env={"PATH": "/usr/bin:/bin", "GOVERNANCE_TICK_INTERVAL": "0.2"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        assert response.status_code == 200
        return
    pytest.fail(f"serve --demo never answered (exit code {process.poll()})")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=15)


def _counts(url: str) -> tuple[int, int, int]:
    database = Database(url)
    try:
        with database.reader() as session:
            proposals = session.scalar(select(func.count()).select_from(Proposal)) or 0
            still_open = session.scalar(select(func.count()).where(Ballot.state == "open")) or 0
            return proposals, still_open, log_writer.verify(session).checked
    finally:
        database.dispose()


@pytest.mark.slow
def test_serve_demo_in_an_empty_directory_seeds_serves_and_leaves_it_alone_next_time(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    port = free_port()
    first = _serve_demo(tmp_path, port, tmp_path / "first.log")
    try:
        _wait_healthy(port, first)
        time.sleep(1)  # let the periodic tick run a few times
        proposals, still_open, entries = _counts(url)
    finally:
        _stop(first)
    assert (proposals, still_open) == (14, 4)
    assert list(tokens_in((tmp_path / "first.log").read_text())) == ROLES

    port = free_port()
    second = _serve_demo(tmp_path, port, tmp_path / "second.log")
    try:
        _wait_healthy(port, second)
    finally:
        _stop(second)
    output = (tmp_path / "second.log").read_text()
    assert "--demo: the database already has people" in output
    assert tokens_in(output) == {}
    assert _counts(url)[2] == entries
