"""What the command groups share: the database from the environment, with clear errors."""

from __future__ import annotations

import argparse
from typing import TypeAlias

from governance_engine.config import Settings
from governance_engine.persistence import migrate
from governance_engine.persistence.database import Database

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def open_database(*, require_current: bool = True) -> Database:
    """The configured database; refuses one that is unreachable or not migrated to head."""
    settings = Settings.from_env()
    database = Database(
        settings.database_url,
        isolation=settings.isolation,
        retry_attempts=settings.db_retry_attempts,
    )
    try:
        database.ping()
        if require_current:
            migrate.ensure_current(database.engine)
    except Exception:
        database.dispose()
        raise
    return database
