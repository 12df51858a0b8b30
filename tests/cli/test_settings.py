"""Every command that opens the database checks GOVERNANCE_DB_ISOLATION the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkit.cli import run_cli

from governance_engine.cli import main
from governance_engine.config import isolation_level
from governance_engine.errors import ConfigurationError

REFUSAL = (
    "governance-engine: error: GOVERNANCE_DB_ISOLATION must be read_committed or serializable, "
    "not 'repeatable_read'"
)

COMMANDS = [
    ["serve", "--port", "1"],
    ["db", "upgrade"],
    ["db", "current"],
    ["db", "downgrade", "base"],
    ["log", "verify"],
    ["log", "export"],
    ["log", "checkpoint"],
    ["log", "replay"],
    ["tick"],
    ["deliver"],
    ["demo"],
    ["people", "create-admin", "--name", "Ada", "--email", "ada@example.org"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_refuses_an_unknown_isolation_in_one_line(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = tmp_path / "governance.db"
    monkeypatch.setenv("GOVERNANCE_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("GOVERNANCE_DB_ISOLATION", "repeatable_read")
    monkeypatch.chdir(tmp_path)
    code = main(command)
    captured = capsys.readouterr()
    assert code != 0
    assert captured.err.strip().splitlines() == [REFUSAL]
    assert not database.exists()  # refused before the database was touched


def test_serve_refuses_it_before_starting_a_server(tmp_path: Path) -> None:
    result = run_cli(
        "serve",
        "--port",
        "1",
        cwd=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'governance.db'}",
        extra_env={"GOVERNANCE_DB_ISOLATION": "repeatable_read"},
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [REFUSAL]


def test_a_valid_isolation_is_accepted_by_db_upgrade(tmp_path: Path) -> None:
    result = run_cli(
        "db",
        "upgrade",
        cwd=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'governance.db'}",
        extra_env={"GOVERNANCE_DB_ISOLATION": " Serializable "},
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        (None, "read_committed"),
        ("", "read_committed"),
        ("read_committed", "read_committed"),
        ("serializable", "serializable"),
        (" SERIALIZABLE\n", "serializable"),
    ],
)
def test_isolation_levels_accepted(raw: str | None, level: str) -> None:
    environ = {} if raw is None else {"GOVERNANCE_DB_ISOLATION": raw}
    assert isolation_level(environ) == level


@pytest.mark.parametrize("raw", ["repeatable_read", "read committed", "snapshot", "1"])
def test_isolation_levels_refused(raw: str) -> None:
    with pytest.raises(ConfigurationError, match="must be read_committed or serializable"):
        isolation_level({"GOVERNANCE_DB_ISOLATION": raw})
