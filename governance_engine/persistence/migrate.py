"""Run Alembic from the installed package: the only way the schema is made, tests included."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from governance_engine.errors import ConfigurationError


def migrations_path() -> Path:
    """Where the Alembic scripts are: ``migrations/`` in the repo, shipped in the wheel."""
    package = import_module("governance_engine.migrations")
    return Path(next(iter(package.__path__)))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.set_main_option("path_separator", "os")
    config.attributes["engine"] = engine
    return config


def _run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config(engine)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _sqlite_foreign_keys(connection, on=False)
            try:
                with connection.begin():
                    config.attributes["connection"] = connection
                    if action == "upgrade":
                        command.upgrade(config, revision)
                    else:
                        command.downgrade(config, revision)
                    if sqlite:
                        _sqlite_check_foreign_keys(connection)
            finally:
                if sqlite:
                    _sqlite_foreign_keys(connection, on=True)
    except DBAPIError as error:
        origin = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise ConfigurationError(f"migration failed: {origin}") from None


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """SQLite changes a table by copying it (Alembic's batch mode); with foreign keys on,
    dropping the old copy fails while other tables refer to its rows. As SQLite's ALTER TABLE
    documentation prescribes, they are off during the migration (the pragma only takes effect
    outside a transaction) and checked before it commits."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _sqlite_check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise ConfigurationError(
            f"migration failed: {len(broken)} rows refer to missing rows "
            f"(first: {table} row {rowid} -> {parent})"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str) -> None:
    _run(engine, "downgrade", revision)


def head_revisions() -> tuple[str, ...]:
    return tuple(ScriptDirectory(str(migrations_path())).get_heads())


def current_revisions(engine: Engine) -> tuple[str, ...]:
    try:
        with engine.connect() as connection:
            return tuple(MigrationContext.configure(connection).get_current_heads())
    except DBAPIError as error:
        origin = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise ConfigurationError(f"cannot read the schema version: {origin}") from None


def ensure_current(engine: Engine) -> None:
    """Refuse to run against a database that is not migrated to head."""
    current = set(current_revisions(engine))
    heads = set(head_revisions())
    if current != heads:
        found = ", ".join(sorted(current)) or "none (empty database)"
        raise ConfigurationError(
            f"the database schema is at {found}, not at {', '.join(sorted(heads))}: "
            "run `governance-engine db upgrade`"
        )
