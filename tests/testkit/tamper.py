"""What an attacker with database rights could do: drop the log's triggers and edit rows."""

from __future__ import annotations

from sqlalchemy import Connection, text


def drop_log_triggers(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text("DROP TRIGGER IF EXISTS log_entries_refuse_update"))
        connection.execute(text("DROP TRIGGER IF EXISTS log_entries_refuse_delete"))
    else:
        connection.execute(text("DROP TRIGGER IF EXISTS log_entries_refuse_change ON log_entries"))
