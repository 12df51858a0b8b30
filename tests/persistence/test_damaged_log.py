"""Every stored log row is untrusted: verify, replay, export and the checkpointer name the
first damaged seq and what is wrong with it, and never crash, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from testkit.cli import run_cli
from testkit.log import AT, append_entries
from testkit.tamper import drop_log_triggers

from governance_engine.errors import LogIntegrityError
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.services import checkpoints, exports, log_audit
from governance_engine.services import replay as replay_service
from governance_engine.services.exports import LogFilter


@dataclass(frozen=True)
class Damage:
    """SQL that damages entry ``seq`` of a 6-entry log, and words the report must contain."""

    name: str
    seq: int
    statements: tuple[str, ...]
    says: str
    backends: tuple[str, ...] = ("sqlite", "postgresql")


def _pg_drop_not_null(column: str) -> str:
    return f"ALTER TABLE log_entries ALTER COLUMN {column} DROP NOT NULL"


DAMAGES = [
    Damage(
        "payload not JSON",
        4,
        ("UPDATE log_entries SET payload = '{\"index\": falsx}' WHERE seq = 4",),
        "payload is not valid JSON",
        ("sqlite",),
    ),
    Damage(
        "payload NaN",
        3,
        ("UPDATE log_entries SET payload = '{\"index\": NaN}' WHERE seq = 3",),
        "payload is not valid JSON",
        ("sqlite",),
    ),
    Damage(
        "payload a list",
        2,
        ("UPDATE log_entries SET payload = '[1, 2]' WHERE seq = 2",),
        "payload is list, not a JSON object",
    ),
    Damage(
        "proposal id text",
        5,
        ("UPDATE log_entries SET proposal_id = 'nobody' WHERE seq = 5",),
        "proposal_id is 'nobody'",
        ("sqlite",),
    ),
    Damage(
        "time not a time",
        3,
        ("UPDATE log_entries SET recorded_at = 'yesterday' WHERE seq = 3",),
        "recorded_at 'yesterday' is not a timestamp",
        ("sqlite",),
    ),
    Damage(
        "action NULL",
        4,
        (_pg_drop_not_null("action"), "UPDATE log_entries SET action = NULL WHERE seq = 4"),
        "action is None, not text",
        ("postgresql",),
    ),
    Damage(
        "hash NULL",
        2,
        (_pg_drop_not_null("hash"), "UPDATE log_entries SET hash = NULL WHERE seq = 2"),
        "hash is None, not text",
        ("postgresql",),
    ),
    Damage(
        "hash not hex",
        3,
        ("UPDATE log_entries SET hash = 'zz' WHERE seq = 3",),
        "content does not match its hash",
    ),
    Damage(
        "seq gap",
        3,
        ("DELETE FROM log_entries WHERE seq = 3",),
        "entry 3 is missing",
    ),
    Damage(
        "seq text",
        5,
        ("UPDATE log_entries SET seq = 'five' WHERE seq = 5",),
        "entry 5 is missing",
        ("sqlite",),
    ),
    Damage(
        "seq twice",
        4,
        (
            "ALTER TABLE log_entries DROP CONSTRAINT pk_log_entries",
            "ALTER TABLE log_entries DROP CONSTRAINT uq_log_entries_hash",
            "INSERT INTO log_entries SELECT * FROM log_entries WHERE seq = 4",
        ),
        "seq 4 is stored again after seq 4",
        ("postgresql",),
    ),
    Damage(
        "head beyond",
        7,
        ("UPDATE log_head SET seq = 40 WHERE id = 1",),
        "the log ends at seq 6 but its head records seq 40",
    ),
    Damage(
        "head missing",
        7,
        ("DELETE FROM log_head",),
        "the log head row is missing",
    ),
    Damage(
        "head hash garbage",
        7,
        ("UPDATE log_head SET hash = 'x' WHERE id = 1",),
        "the log head records hash 'x'",
    ),
]


def damage(database: Database, *statements: str) -> None:
    with database.engine.begin() as connection:
        drop_log_triggers(connection)
        for statement in statements:
            connection.execute(text(statement))


@pytest.fixture(params=DAMAGES, ids=[case.name for case in DAMAGES])
def damaged(request: pytest.FixtureRequest, backend: str, database: Database) -> Damage:
    case: Damage = request.param
    if backend not in case.backends:
        pytest.skip(f"{backend} cannot store this damage")
    append_entries(database, 6)
    damage(database, *case.statements)
    return case


def test_verify_names_the_damaged_seq(database: Database, damaged: Damage) -> None:
    with database.reader() as session:
        result = log_writer.verify(session)
    assert not result.ok
    assert result.broken_seq == damaged.seq
    assert damaged.says in (result.reason or "")


def test_the_checkpointer_refuses_and_names_it(database: Database, damaged: Damage) -> None:
    with pytest.raises(LogIntegrityError, match="refusing to sign"), database.transaction() as s:
        checkpoints.create_checkpoint(s, at=AT, key=Ed25519PrivateKey.generate())


def test_replay_and_export_never_crash(database: Database, damaged: Damage) -> None:
    with database.reader() as session:
        report = replay_service.replay(session)
    row_damage = not damaged.name.startswith("head")
    if row_damage and damaged.name != "hash not hex":  # replay reads content, not hashes
        assert not report.ok
        assert any(f"seq={damaged.seq}" in line for line in report.lines())
    if row_damage and damaged.name not in {"hash not hex", "seq gap", "seq text", "seq twice"}:
        with database.reader() as session, pytest.raises(LogIntegrityError) as raised:
            list(exports.export_lines(session, filters=LogFilter(), format="jsonl"))
        assert f"seq {damaged.seq}" in str(raised.value)


def test_audit_reports_the_damage_before_any_checkpoint_finding(
    database: Database, damaged: Damage
) -> None:
    with database.reader() as session:
        found = log_audit.audit_log(session)
    assert not found.ok
    assert f"seq {damaged.seq}" in found.lines()[0]


@pytest.mark.parametrize("command", ["verify", "replay", "export", "checkpoint"])
def test_each_tool_says_one_line_and_exits_1(
    command: str, backend: str, database: Database, database_url: str, tmp_path: Path
) -> None:
    """The issue's corruption: one byte of a payload (``false`` -> ``falsx`` on SQLite; a
    payload that is no longer an object on PostgreSQL, whose JSONB refuses invalid JSON)."""
    append_entries(database, 6)
    with database.transaction() as session:
        log_writer.append(
            session,
            at=AT,
            actor_id=None,
            action="test.flag",
            subject_type="test",
            subject_id=7,
            payload={"open": False},
        )
    broken = (
        "UPDATE log_entries SET payload = '{\"open\": falsx}' WHERE seq = 7"
        if backend == "sqlite"
        else "UPDATE log_entries SET payload = '\"open\"' WHERE seq = 7"
    )
    damage(database, broken)
    env = {"GOVERNANCE_SIGNING_KEY": str(tmp_path / "key.pem")}
    result = run_cli("log", command, cwd=tmp_path, database_url=database_url, extra_env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "seq" in line and "7" in line]
    assert lines, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # replay adds its summary line
