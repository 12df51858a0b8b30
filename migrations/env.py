"""Alembic environment: imports only the models' metadata."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from governance_engine.persistence.database import create_database_engine
from governance_engine.persistence.models import metadata

config = context.config
DEFAULT_URL = "sqlite:///governance.db"


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
    )


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(
        "GOVERNANCE_DATABASE_URL", DEFAULT_URL
    )
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(
        "GOVERNANCE_DATABASE_URL", DEFAULT_URL
    )
    engine = create_database_engine(url)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
