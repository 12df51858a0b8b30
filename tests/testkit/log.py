"""Entries for the decision log in tests, appended through its one writer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from governance_engine.log import StoredEntry
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database

AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def append_entry(
    session: Session,
    *,
    action: str = "test.appended",
    subject_id: int = 1,
    payload: dict[str, Any] | None = None,
    proposal_id: int | None = None,
    at: datetime = AT,
) -> StoredEntry:
    return log_writer.append(
        session,
        at=at,
        actor_id=None,
        action=action,
        subject_type="test",
        subject_id=subject_id,
        payload=payload or {},
        proposal_id=proposal_id,
    )


def append_entries(database: Database, count: int, *, action: str = "test.appended") -> None:
    """``count`` entries in one unit of work, each with its index as subject and payload."""
    with database.transaction() as session:
        for index in range(count):
            append_entry(session, action=action, subject_id=index, payload={"index": index})
