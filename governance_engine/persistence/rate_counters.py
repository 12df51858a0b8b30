"""A storage for the ``limits`` library in the application's own database.

``limits`` ships storages for memory, Redis, Memcached and MongoDB, none for SQL; this one
keeps fixed-window counters in the ``rate_counters`` table, so every worker process and
host that shares the database shares the limits. One atomic upsert per hit (``INSERT ...
ON CONFLICT DO UPDATE ... RETURNING``, on SQLite and PostgreSQL alike) starts a new window
when the old one has expired, or adds to it.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from governance_engine.persistence.models import RateCounter, table_of

_counters = table_of(RateCounter)
_SWEEP_EVERY = 500  # hits between deletions of expired windows


class DatabaseStorage(Storage):
    """Fixed-window counters in ``rate_counters`` (for ``limits.FixedWindowRateLimiter``)."""

    STORAGE_SCHEME = None  # made from an engine, not from a storage URI

    def __init__(self, engine: Engine, *, clock: Any = time.time) -> None:
        super().__init__(None, wrap_exceptions=False)
        if engine.dialect.name == "postgresql":
            # One atomic upsert needs no more than READ COMMITTED; at the database's
            # SERIALIZABLE (GOVERNANCE_DB_ISOLATION) concurrent hits on one key would fail to
            # serialize and the write they count would go through uncounted.
            engine = engine.execution_options(isolation_level="READ COMMITTED")
        self.engine = engine
        self.clock = clock
        self._hits = 0
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = float(self.clock())
        statement = self._insert(_counters).values(key=key, hits=amount, expires_at=now + expiry)
        expired = _counters.c.expires_at <= now
        upsert = statement.on_conflict_do_update(
            index_elements=[_counters.c.key],
            set_={
                "hits": case((expired, amount), else_=_counters.c.hits + amount),
                "expires_at": case((expired, now + expiry), else_=_counters.c.expires_at),
            },
        ).returning(_counters.c.hits)
        with self.engine.begin() as connection:
            hits = int(connection.execute(upsert).scalar_one())
            self._hits += 1
            if self._hits % _SWEEP_EVERY == 0:
                connection.execute(delete(_counters).where(_counters.c.expires_at < now))
        return hits

    def _row(self, key: str) -> tuple[int, float] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(_counters.c.hits, _counters.c.expires_at).where(_counters.c.key == key)
            ).first()
        if row is None or row.expires_at <= self.clock():
            return None
        return int(row.hits), float(row.expires_at)

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else float(self.clock())

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return int(connection.execute(delete(_counters)).rowcount or 0)

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(_counters).where(_counters.c.key == key))
