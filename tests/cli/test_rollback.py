"""The database owner's rollback and rewrite attacks on a checkpointed log, caught by
``log verify`` and refused by ``log checkpoint`` (and by the periodic checkpointer's service),
on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select, text
from testkit.cli import run_cli
from testkit.log import AT, append_entries
from testkit.tamper import drop_log_triggers

from governance_engine.errors import LogIntegrityError
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Checkpoint
from governance_engine.services import checkpoints, log_audit

KEY = Ed25519PrivateKey.generate()


def sign(database: Database) -> int:
    with database.transaction() as session:
        return checkpoints.create_checkpoint(session, at=AT, key=KEY).tree_size


def checkpoint_sizes(database: Database) -> list[int]:
    with database.reader() as session:
        return list(session.scalars(select(Checkpoint.tree_size).order_by(Checkpoint.tree_size)))


def tamper(database: Database, *statements: str) -> None:
    with database.engine.begin() as connection:
        drop_log_triggers(connection)
        for statement in statements:
            connection.execute(text(statement))


def roll_back_to(database: Database, seq: int) -> None:
    """Delete every entry after ``seq`` and point the head at entry ``seq``: a valid chain."""
    tamper(
        database,
        f"DELETE FROM log_entries WHERE seq > {seq}",
        f"UPDATE log_head SET seq = {seq}, "
        f"hash = (SELECT hash FROM log_entries WHERE seq = {seq}) WHERE id = 1",
    )


def audit(database: Database) -> log_audit.LogAudit:
    with database.reader() as session:
        return log_audit.audit_log(session, public_key=KEY.public_key())


def test_rollback_is_caught_by_verify_and_refused_by_checkpoint(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    append_entries(database, 10)
    assert sign(database) == 10
    roll_back_to(database, 7)
    with database.reader() as session:
        assert log_writer.verify(session).ok  # the chain alone cannot see it
    found = audit(database)
    assert not found.ok
    assert "rollback" in found.lines()[0]
    assert "8..10" in found.lines()[0]

    verify = run_cli("log", "verify", cwd=tmp_path, database_url=database_url)
    assert verify.returncode == 1
    assert "rollback: the log has 7 entries" in verify.stderr
    assert "Traceback" not in verify.stderr

    env = {"GOVERNANCE_SIGNING_KEY": str(tmp_path / "key.pem")}
    signed = run_cli("log", "checkpoint", cwd=tmp_path, database_url=database_url, extra_env=env)
    assert signed.returncode == 1
    assert "refusing to sign a checkpoint" in signed.stderr
    assert "below the latest checkpoint of size 10" in signed.stderr
    assert "Traceback" not in signed.stderr
    assert checkpoint_sizes(database) == [10]  # nothing was signed


def test_rollback_then_regrowth_is_a_rewrite(database: Database) -> None:
    """Cut 3 entries and append others: the log is long enough again, but not the signed one."""
    append_entries(database, 10)
    sign(database)
    roll_back_to(database, 7)
    for count in (3, 2):  # back to the signed size, then beyond it
        append_entries(database, count, action="test.replaced")
        found = audit(database)
        assert not found.ok
        assert found.lines()[0].startswith("rewrite: entries 1..10 do not have the Merkle root")
        with pytest.raises(LogIntegrityError, match="no longer the tree"):
            sign(database)
    assert checkpoint_sizes(database) == [10]


def test_a_broken_chain_since_the_checkpoint_is_refused(database: Database) -> None:
    append_entries(database, 5)
    sign(database)
    append_entries(database, 5)
    tamper(database, "UPDATE log_entries SET action = 'forged' WHERE seq = 8")
    with pytest.raises(LogIntegrityError, match="seq 8"):
        sign(database)
    assert checkpoint_sizes(database) == [5]
    assert audit(database).chain.broken_seq == 8


def test_a_head_pointing_past_the_entries_is_refused(database: Database) -> None:
    append_entries(database, 4)
    sign(database)
    append_entries(database, 2)
    tamper(database, "UPDATE log_head SET seq = 9 WHERE id = 1")
    with pytest.raises(LogIntegrityError, match="head records seq 9"):
        sign(database)
    assert checkpoint_sizes(database) == [4]


def test_honest_growth_is_signed_and_verifies(database: Database) -> None:
    append_entries(database, 5)
    sign(database)
    append_entries(database, 6)
    assert sign(database) == 11
    assert sign(database) == 11  # unchanged: the same checkpoint again
    found = audit(database)
    assert found.ok
    assert found.lines() == [
        found.chain.describe(),
        "consistent with the latest checkpoint (size 11)",
    ]
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Checkpoint)) == 2


def test_a_checkpoint_signed_by_another_key_is_named(database: Database) -> None:
    append_entries(database, 3)
    with database.transaction() as session:
        checkpoints.create_checkpoint(session, at=AT, key=Ed25519PrivateKey.generate())
    found = audit(database)
    assert not found.ok
    assert found.lines() == ["the checkpoint of size 3 is not signed by the checkpoint key"]
