"""Functions run in child processes by the concurrency tests (importable by name)."""

from __future__ import annotations

from datetime import UTC, datetime

from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database


def append_many(url: str, worker: int, count: int) -> int:
    """Append ``count`` entries, one transaction each; return how many committed."""
    database = Database(url, pool_size=1)
    try:
        for index in range(count):
            with database.transaction() as session:
                log_writer.append(
                    session,
                    at=datetime.now(UTC),
                    actor_id=None,
                    action="test.appended",
                    subject_type="worker",
                    subject_id=worker,
                    payload={"worker": worker, "index": index},
                )
        return count
    finally:
        database.dispose()
