"""Engines, sessions and the unit of work.

The edge (an HTTP request, a CLI command) opens one unit of work per action with
``Database.transaction()``; services flush inside it and never commit. On leaving the
block the state change and its log entry commit together, or neither does.

SQLite: WAL, a busy timeout, foreign keys on, and writing transactions that start with
``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing half-way.
PostgreSQL: a connection pool; writers lock the rows they change (``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from governance_engine.errors import ConcurrentUpdate, ConfigurationError
from governance_engine.persistence.retry import DEFAULT_ATTEMPTS, ContentionRetry, is_retryable

__all__ = ["ISOLATION_LEVELS", "Database", "create_database_engine", "is_retryable", "parse_url"]

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
_READ_ONLY = "governance_read_only"


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ConfigurationError(f"invalid database URL {url!r}: {error}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigurationError(
            f"unsupported database {backend!r} in {parsed.render_as_string()}: "
            "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        )
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


ISOLATION_LEVELS = {"read_committed": "READ COMMITTED", "serializable": "SERIALIZABLE"}


def create_database_engine(
    url: str, *, pool_size: int = 5, echo: bool = False, isolation: str = "read_committed"
) -> Engine:
    """An engine; ``isolation`` ("read_committed" or "serializable") applies to PostgreSQL.

    SQLite serialises writers anyway (BEGIN IMMEDIATE), so it has nothing to choose.
    """
    if isolation not in ISOLATION_LEVELS:
        raise ConfigurationError(
            f"isolation must be one of {', '.join(ISOLATION_LEVELS)}, not {isolation!r}"
        )
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    return create_engine(
        parsed,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        isolation_level=ISOLATION_LEVELS[isolation],
    )


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # SQLite has no row locks: a writer takes the database's write lock up front, so
        # two writers queue on the busy timeout instead of deadlocking on lock upgrade.
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """One engine and its session factories; the only place that commits."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 5,
        echo: bool = False,
        isolation: str = "read_committed",
        retry_attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        self.url = parse_url(url)
        self.engine = create_database_engine(
            url, pool_size=pool_size, echo=echo, isolation=isolation
        )
        self.isolation = isolation
        self.contention = ContentionRetry(attempts=retry_attempts)
        self.retries = 0  # units of work re-run after a serialization failure (observability)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing unit of work: commits on success, rolls back on any exception.

        A unique or foreign-key violation, which means another transaction created or
        removed the same thing first, becomes ConcurrentUpdate (a Conflict) naming it.
        """
        try:
            with self._writer() as session, session.begin():
                yield session
        except IntegrityError as error:
            if not _is_duplicate_or_dangling(error):
                raise  # a CHECK or a trigger refusing the change is not a race
            raise ConcurrentUpdate(
                f"the change conflicts with data written at the same time: {_first_line(error)}"
            ) from error

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A reading session: never takes SQLite's write lock; objects stay usable after it."""
        with self._reader() as session, session.begin():
            yield session

    def run(self, work: Callable[[Session], T], *, what: str = "the work") -> T:
        """Run ``work`` in a unit of work, re-running all of it when it loses to another.

        The policy is ``self.contention`` (``GOVERNANCE_DB_RETRY_ATTEMPTS``); when it gives
        up, ``TryAgain`` is raised and nothing was written.
        """

        def attempt() -> T:
            with self.transaction() as session:
                return work(session)

        return self.contention.run(attempt, what=what, on_retry=self.count_retry)

    def count_retry(self) -> None:
        """Count one re-run unit of work (``retries``, for observability and tests)."""
        self.retries += 1

    def ping(self) -> None:
        """Raise ConfigurationError unless the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as error:
            raise ConfigurationError(
                f"database {self.url.render_as_string()} is unreachable: {_first_line(error)}"
            ) from None

    def dispose(self) -> None:
        self.engine.dispose()


# unique_violation and foreign_key_violation on PostgreSQL; their messages on SQLite.
_RACE_SQLSTATES = frozenset({"23505", "23503"})
_RACE_MESSAGES = ("UNIQUE constraint failed", "FOREIGN KEY constraint failed")


def _is_duplicate_or_dangling(error: IntegrityError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in _RACE_SQLSTATES
    return any(message in str(error.orig) for message in _RACE_MESSAGES)


def _first_line(error: BaseException) -> str:
    origin = getattr(error, "orig", None) or error
    return str(origin).strip().splitlines()[0] if str(origin).strip() else type(origin).__name__
