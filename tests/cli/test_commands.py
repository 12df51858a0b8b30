from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from testkit.cli import console_script, free_port, run_cli
from testkit.tamper import drop_log_triggers

from governance_engine.persistence.database import Database


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "db", "workflows", "log", "people"):
        assert command in result.stdout


def test_db_upgrade_current_downgrade(empty_database_url: str, tmp_path: Path) -> None:
    upgraded = run_cli("db", "upgrade", cwd=tmp_path, database_url=empty_database_url)
    assert upgraded.returncode == 0, upgraded.stderr
    current = run_cli("db", "current", cwd=tmp_path, database_url=empty_database_url)
    assert current.returncode == 0
    lines = dict(line.split(": ", 1) for line in current.stdout.strip().splitlines())
    assert lines["current"] == lines["head"]
    down = run_cli("db", "downgrade", "base", cwd=tmp_path, database_url=empty_database_url)
    assert down.returncode == 0, down.stderr
    assert "base" in down.stdout


def test_create_admin_prints_a_token_once_and_logs_it(database_url: str, tmp_path: Path) -> None:
    result = run_cli(
        "people",
        "create-admin",
        "--name",
        "Ada Admin",
        "--email",
        "ada@example.org",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("ge_")
    database = Database(database_url)
    try:
        with database.reader() as session:
            stored = session.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
            actions = session.execute(text("SELECT action FROM log_entries ORDER BY seq")).scalars()
            assert list(actions) == ["person.created", "token.issued"]
        assert token not in stored
        assert len(stored) == 1
    finally:
        database.dispose()
    again = run_cli(
        "people",
        "create-admin",
        "--name",
        "Ada",
        "--email",
        "ada@example.org",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert_one_line_error(again, "already exists")


def test_log_verify_exit_codes(database_url: str, tmp_path: Path) -> None:
    run_cli(
        "people",
        "create-admin",
        "--name",
        "Ada",
        "--email",
        "ada@example.org",
        cwd=tmp_path,
        database_url=database_url,
    )
    intact = run_cli("log", "verify", cwd=tmp_path, database_url=database_url)
    assert intact.returncode == 0
    assert "log intact: 2 entries" in intact.stdout
    database = Database(database_url)
    try:
        with database.engine.begin() as connection:
            drop_log_triggers(connection)
            connection.execute(text("UPDATE log_entries SET action = 'forged' WHERE seq = 2"))
    finally:
        database.dispose()
    broken = run_cli("log", "verify", cwd=tmp_path, database_url=database_url)
    assert broken.returncode == 1
    assert "seq 2" in broken.stderr


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("mysql://nobody@localhost/x", "unsupported database"),
        ("not a url", "invalid database URL"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "unreachable"),
    ],
)
def test_bad_database_url_is_one_clear_line(url: str, fragment: str, tmp_path: Path) -> None:
    assert_one_line_error(run_cli("log", "verify", cwd=tmp_path, database_url=url), fragment)


def test_unmigrated_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert_one_line_error(run_cli("log", "verify", cwd=tmp_path, database_url=url), "db upgrade")


def test_bad_argument_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("people", "create-admin", "--name", "x", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--email" in result.stderr


@pytest.mark.slow
def test_serve_in_an_empty_directory_creates_and_migrates_sqlite(tmp_path: Path) -> None:
    port = free_port()
    output = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [console_script(), "serve", "--port", str(port)],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "GOVERNANCE_TICK_INTERVAL": "0"},
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        response = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None, "serve never answered"
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
        assert (tmp_path / "governance.db").exists()
        schema = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).json()
        assert "/health" in schema["paths"]
    finally:
        process.terminate()
        process.wait(timeout=15)
        output.close()


def _world_with_a_due_ballot(database_url: str) -> tuple[int, int]:
    """A ballot opened in March 2026 (the test world's clock): long past its deadline now."""
    from testkit.drive import file, open_ballot, take, vote
    from testkit.world import build_world

    database = Database(database_url)
    try:
        world = build_world(database)
        proposal_id = file(world, text="# Spec\n")
        take(world, proposal_id, "submit", "wendy")
        ballot_id = open_ballot(world, proposal_id, "wendy")
        for voter in ("wendy", "will", "wren"):
            vote(world, ballot_id, voter, "yes")
        return proposal_id, ballot_id
    finally:
        database.dispose()


def _ballot_state(database_url: str, ballot_id: int) -> str:
    database = Database(database_url)
    try:
        with database.reader() as session:
            state = session.execute(
                text("SELECT state FROM ballots WHERE id = :id"), {"id": ballot_id}
            ).scalar_one()
            return str(state)
    finally:
        database.dispose()


def test_tick_closes_due_ballots_once(database_url: str, tmp_path: Path) -> None:
    _, ballot_id = _world_with_a_due_ballot(database_url)
    first = run_cli("tick", cwd=tmp_path, database_url=database_url)
    assert first.returncode == 0, first.stderr
    assert f"closed ballots: {ballot_id}" in first.stdout
    assert _ballot_state(database_url, ballot_id) == "closed"
    second = run_cli("tick", cwd=tmp_path, database_url=database_url)
    assert "closed ballots: none" in second.stdout


@pytest.mark.slow
def test_serve_ticks_periodically(database_url: str, tmp_path: Path) -> None:
    _, ballot_id = _world_with_a_due_ballot(database_url)
    port = free_port()
    output = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [console_script(), "serve", "--port", str(port)],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "GOVERNANCE_DATABASE_URL": database_url,
            "GOVERNANCE_TICK_INTERVAL": "0.3",
        },
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _ballot_state(database_url, ballot_id) != "closed":
            time.sleep(0.3)
        assert _ballot_state(database_url, ballot_id) == "closed"
    finally:
        process.terminate()
        process.wait(timeout=15)
        output.close()
