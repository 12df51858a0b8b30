"""Property: whatever one stored row is changed to, ``verify`` names that row's seq (or passes,
when the change leaves the entry's content the same), and no tool crashes. SQLite and
PostgreSQL; each example starts from a fresh log of N entries in the test's database."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from testkit.log import AT, append_entry
from testkit.tamper import drop_log_triggers

from governance_engine.errors import LogIntegrityError
from governance_engine.log import GENESIS_HASH
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.services import exports
from governance_engine.services import replay as replay_service
from governance_engine.services.exports import LogFilter

N = 6
HEX = "0123456789abcdef"
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text('ab"\\ é', max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text("ab", max_size=2), inner),
    max_leaves=5,
)


def fresh_log(database: Database) -> None:
    """Empty the log (as an attacker could) and write N honest entries again."""
    with database.engine.begin() as connection:
        drop_log_triggers(connection)
        connection.execute(text("DELETE FROM log_entries"))
        connection.execute(
            text("UPDATE log_head SET seq = 0, hash = :genesis WHERE id = 1"),
            {"genesis": GENESIS_HASH},
        )
    with database.transaction() as session:
        for index in range(N):
            payload = {"index": index, "open": index % 2 == 0, "note": f"entry {index}"}
            append_entry(session, subject_id=index, payload=payload, at=AT + timedelta(index))


Mutation = tuple[str, int, Any]
MUTATIONS: st.SearchStrategy[Mutation] = st.one_of(
    st.tuples(
        st.just("payload_byte"),
        st.integers(1, N),
        st.tuples(st.integers(0, 60), st.sampled_from('{}[]":, 0123456789abcdefnulrtsx.\\')),
    ),
    st.tuples(st.just("payload_value"), st.integers(1, N), JSON_VALUES),
    st.tuples(
        st.just("hash"),
        st.integers(1, N),
        st.text(HEX, min_size=64, max_size=64) | st.text("xyz", max_size=3),
    ),
    st.tuples(st.just("prev_hash"), st.integers(1, N), st.text(HEX, min_size=64, max_size=64)),
    st.tuples(st.just("seq"), st.integers(1, N), st.integers(N + 1, N + 50)),
    st.tuples(
        st.just("recorded_at"), st.integers(1, N), st.integers(1, 10**9) | st.just("garbage")
    ),
)


def mutate(database: Database, mutation: Mutation) -> bool:
    """Apply the mutation to entry ``seq``; True when the entry's content or hashes changed."""
    kind, seq, value = mutation
    sqlite = database.engine.dialect.name == "sqlite"
    with database.engine.begin() as connection:
        drop_log_triggers(connection)
        where = {"seq": seq}
        stored = connection.execute(
            text("SELECT CAST(payload AS TEXT), hash, prev_hash FROM log_entries WHERE seq = :seq"),
            where,
        ).one()
        old_payload = json.loads(stored[0])
        if kind in ("payload_byte", "payload_value"):
            if kind == "payload_byte":
                position, char = value
                if not sqlite:  # JSONB keeps only valid JSON: replace the value instead
                    return _set_payload(connection, seq, {"index": char}, old_payload)
                raw = stored[0]
                position %= len(raw)
                new_text = raw[:position] + char + raw[position + 1 :]
                connection.execute(
                    text("UPDATE log_entries SET payload = :p WHERE seq = :seq"),
                    {"p": new_text, **where},
                )
                try:
                    return json.loads(new_text) != old_payload
                except ValueError:
                    return True
            return _set_payload(connection, seq, value, old_payload)
        if kind in ("hash", "prev_hash"):
            if value == stored[1 if kind == "hash" else 2]:
                return False
            connection.execute(
                text(f"UPDATE log_entries SET {kind} = :v WHERE seq = :seq"),
                {"v": value, **where},
            )
            return True
        if kind == "seq":
            connection.execute(
                text("UPDATE log_entries SET seq = :v WHERE seq = :seq"), {"v": value, **where}
            )
            return True
        if value == "garbage":
            if not sqlite:
                return False  # timestamptz stores only instants
            connection.execute(
                text("UPDATE log_entries SET recorded_at = 'garbage' WHERE seq = :seq"), where
            )
            return True
        statement = (
            f"UPDATE log_entries SET recorded_at = "
            f"strftime('%Y-%m-%d %H:%M:%f', recorded_at, '+{value / 1000:.3f} seconds') "
            "WHERE seq = :seq"
            if sqlite
            else f"UPDATE log_entries SET recorded_at = recorded_at + interval '{value} "
            "microseconds' WHERE seq = :seq"
        )
        connection.execute(text(statement), where)
        return True


def _set_payload(connection: Any, seq: int, value: Any, old: Any) -> bool:
    connection.execute(
        text("UPDATE log_entries SET payload = :p WHERE seq = :seq"),
        {"p": json.dumps(value), "seq": seq},
    )
    return bool(value != old)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutation=MUTATIONS)
def test_verify_names_the_first_damaged_seq(database: Database, mutation: Mutation) -> None:
    fresh_log(database)
    changed = mutate(database, mutation)
    with database.reader() as session:
        result = log_writer.verify(session)
    if not changed:
        assert result.ok, result.describe()
        return
    assert not result.ok
    assert result.broken_seq == mutation[1], (mutation, result.describe())
    with database.reader() as session:
        replay_service.replay(session)  # reports, never raises
        stopped = ""
        try:
            for _ in exports.export_lines(session, filters=LogFilter(), format="jsonl"):
                pass
        except LogIntegrityError as error:
            stopped = str(error)
    assert not stopped or f"seq {mutation[1]}" in stopped
