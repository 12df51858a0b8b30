from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from testkit.log import AT, append_entry
from testkit.processes import run_in_processes
from testkit.tamper import drop_log_triggers
from testkit.workers import append_many

from governance_engine.log import GENESIS_HASH
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import LogEntry, LogHead


def append(database: Database, count: int) -> None:
    with database.transaction() as session:
        for index in range(count):
            payload = {"index": index, "text": "naïve ✓"}
            append_entry(session, subject_id=index, payload=payload, proposal_id=index % 2 or None)


def verify(database: Database) -> log_writer.VerifyResult:
    with database.reader() as session:
        return log_writer.verify(session)


def test_append_links_entries_from_genesis(database: Database) -> None:
    append(database, 3)
    with database.reader() as session:
        entries = session.scalars(select(LogEntry).order_by(LogEntry.seq)).all()
        head = session.get(LogHead, 1)
    assert [entry.seq for entry in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[1].prev_hash == entries[0].hash
    assert head is not None
    assert (head.seq, head.hash) == (3, entries[2].hash)
    assert entries[0].recorded_at == AT
    assert verify(database).ok


def test_entry_rolls_back_with_its_transaction(database: Database) -> None:
    append(database, 1)

    def failing_action() -> None:
        with database.transaction() as session:
            append_entry(session)
            raise RuntimeError("the action failed after its log entry was written")

    with pytest.raises(RuntimeError):
        failing_action()
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(LogEntry)) == 1
    assert verify(database).ok


@pytest.mark.parametrize(
    "statement", ["UPDATE log_entries SET action = 'x'", "DELETE FROM log_entries"]
)
def test_database_refuses_to_change_the_log(database: Database, statement: str) -> None:
    append(database, 2)
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text(statement))
    assert verify(database).checked == 2


def tamper(database: Database, *statements: str) -> None:
    with database.engine.begin() as connection:
        drop_log_triggers(connection)
        for statement in statements:
            connection.execute(text(statement))


def test_changed_payload_is_found_at_its_seq(database: Database) -> None:
    append(database, 6)
    changed = '{"index": 99}'
    tamper(database, f"UPDATE log_entries SET payload = '{changed}' WHERE seq = 4")
    result = verify(database)
    assert (result.ok, result.broken_seq) == (False, 4)


def test_deleted_entry_is_found_at_its_seq(database: Database) -> None:
    append(database, 6)
    tamper(database, "DELETE FROM log_entries WHERE seq = 3")
    result = verify(database)
    assert (result.ok, result.broken_seq) == (False, 3)


def test_deleted_tail_is_found_against_the_head(database: Database) -> None:
    append(database, 6)
    tamper(database, "DELETE FROM log_entries WHERE seq >= 5")
    result = verify(database)
    assert (result.ok, result.broken_seq) == (False, 5)


def test_an_entry_stored_beyond_the_head_is_found(database: Database) -> None:
    append(database, 6)
    tamper(
        database, "UPDATE log_head SET seq = 5, hash = (SELECT hash FROM log_entries WHERE seq = 5)"
    )
    result = verify(database)
    assert (result.ok, result.broken_seq) == (False, 6)
    assert "beyond the head" in (result.reason or "")


def test_appends_while_verify_runs_are_not_taken_for_damage(database: Database) -> None:
    """Verify reads the head first and checks up to it; later commits are not damage."""
    append(database, 3000)  # long enough that appends land while one verify streams
    done = threading.Event()
    appended = 0

    def keep_appending() -> None:
        nonlocal appended
        while not done.is_set() and appended < 400:
            with database.transaction() as session:
                append_entry(session, action="test.concurrent")
            appended += 1

    writer = threading.Thread(target=keep_appending)
    writer.start()
    results = []
    try:
        while writer.is_alive() and len(results) < 30:
            results.append(verify(database))
    finally:
        done.set()
        writer.join()
    assert len(results) >= 2
    assert appended > 0
    assert all(result.ok for result in results), [r.describe() for r in results if not r.ok]
    assert len({result.checked for result in results}) > 1  # the log grew between verifies
    assert verify(database).checked == 3000 + appended


def test_swapped_pair_is_found_at_the_first(database: Database) -> None:
    append(database, 6)
    tamper(
        database,
        "UPDATE log_entries SET seq = 1000 WHERE seq = 2",
        "UPDATE log_entries SET seq = 2 WHERE seq = 3",
        "UPDATE log_entries SET seq = 3 WHERE seq = 1000",
    )
    result = verify(database)
    assert (result.ok, result.broken_seq) == (False, 2)


@pytest.mark.slow
def test_two_processes_appending_at_once_never_fork_the_chain(database_url: str) -> None:
    committed = run_in_processes(append_many, [(database_url, 1, 300), (database_url, 2, 300)])
    assert committed == [300, 300]
    database = Database(database_url)
    try:
        result = verify(database)
        assert result.ok, result.describe()
        assert result.checked == 600
        with database.reader() as session:
            per_worker = dict(
                session.execute(
                    select(LogEntry.subject_id, func.count()).group_by(LogEntry.subject_id)
                ).all()
            )
        assert per_worker == {"1": 300, "2": 300}
    finally:
        database.dispose()
