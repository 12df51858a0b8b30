"""What the command groups share: the database from the environment, with clear errors.

Command modules import the database layer and the services inside their handlers, not at the
top: ``governance-engine --help`` (and every command's ``--help``) then loads only argparse
and the settings, and answers in a fraction of the time the whole engine takes to import.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from governance_engine.config import Settings
from governance_engine.errors import ConfigurationError

if TYPE_CHECKING:
    from governance_engine.persistence.database import Database

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def open_database(*, require_current: bool = True) -> Database:
    """The configured database; refuses one that is unreachable or not migrated to head."""
    from governance_engine.persistence import migrate
    from governance_engine.persistence.database import Database

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


def open_or_create_database() -> Database:
    """For ``serve`` and ``demo``: a SQLite file is created (with its directory) and migrated
    to head on first use; a PostgreSQL database must already be migrated (``db upgrade``),
    because several hosts may start at once."""
    from governance_engine.persistence import migrate
    from governance_engine.persistence.database import Database

    url = Settings.from_env().database_url
    database = Database(url)
    try:
        if database.backend == "sqlite" and database.url.database not in (None, "", ":memory:"):
            _make_directory(Path(database.url.database).parent)
        database.ping()
        if database.backend == "sqlite":
            migrate.upgrade(database.engine)
        else:
            migrate.ensure_current(database.engine)
    except Exception:
        database.dispose()
        raise
    return database


def _make_directory(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigurationError(
            f"cannot create the database directory {path}: {error.strerror}"
        ) from None
