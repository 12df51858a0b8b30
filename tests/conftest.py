"""Shared fixtures: every database test gets its own freshly migrated database.

Database tests run on SQLite always, and on PostgreSQL too when
``GOVERNANCE_TEST_POSTGRES_URL`` names a server (CI always does). The schema is made by
Alembic once per backend per test process (a template), then each test gets a copy:
a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. Tests never share
a database, so they cannot leak state into each other.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy.engine import make_url
from testkit.http import Api, serve_in_process
from testkit.isolation import ISOLATION
from testkit.world import World, build_world

from governance_engine.persistence import migrate
from governance_engine.persistence.database import Database

# scripts/mutation.sh: the same examples for every mutant (no randomness, no example database
# carried from one mutant to the next), and no time limits a slowed-down mutant could trip.
settings.register_profile(
    "mutation",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

POSTGRES_URL = os.environ.get("GOVERNANCE_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
_RUN_ID = uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class PostgresServer:
    """Creates and drops throwaway databases on the server named by the test URL."""

    url: str

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        parsed = make_url(self.url)
        return psycopg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password,
            dbname=parsed.database or "postgres",
            autocommit=True,
        )

    def url_for(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        with self._admin() as connection:
            if template:
                connection.execute(
                    f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY WAL_LOG'  # type: ignore[arg-type]
                )
            else:
                connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.url_for(name)

    def drop(self, name: str) -> None:
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    if not POSTGRES_URL:
        pytest.fail("GOVERNANCE_TEST_POSTGRES_URL is not set")
    server = PostgresServer(POSTGRES_URL)
    try:
        with server._admin():
            pass
    except psycopg.OperationalError as error:
        # Never skip silently: a URL was given, so PostgreSQL must answer.
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}")
    return server


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database.engine)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"ge_tpl_{_RUN_ID}_{_worker()}"
    database = Database(postgres_server.create(name))
    migrate.upgrade(database.engine)
    database.dispose()
    yield name
    postgres_server.drop(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database migrated to head, dropped after the test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "governance.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"ge_t_{_RUN_ID}_{_worker()}_{uuid.uuid4().hex[:8]}"
    url = server.create(name, template=template_name)
    yield url
    server.drop(name)


@pytest.fixture
def empty_database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """The URL of a fresh, empty (unmigrated) database, dropped after the test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"ge_e_{_RUN_ID}_{_worker()}_{uuid.uuid4().hex[:8]}"
    url = server.create(name)
    yield url
    server.drop(name)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The test's database at the configured isolation (``GOVERNANCE_DB_ISOLATION``)."""
    db = Database(database_url, isolation=ISOLATION)
    yield db
    db.dispose()


@pytest.fixture
def world(database: Database) -> World:
    """The standard test world (see ``testkit.world``) in this test's database."""
    return build_world(database)


@pytest.fixture
def api(world: World, database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The app served in process over the test world, with a token per person."""
    with serve_in_process(world, database_url, tmp_path / "keys" / "signing.pem") as client:
        yield client
