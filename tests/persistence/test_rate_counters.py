"""The ``limits`` storage in our database: fixed windows that start, count, expire and are
shared by every connection, with no hit lost to a race."""

from __future__ import annotations

import threading

from limits import RateLimitItemPerMinute
from limits.strategies import FixedWindowRateLimiter

from governance_engine.persistence.database import Database
from governance_engine.persistence.rate_counters import DatabaseStorage


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_counts_then_starts_again(database: Database) -> None:
    clock = Clock()
    storage = DatabaseStorage(database.engine, clock=clock)
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", 60, amount=2) == 5
    assert storage.get("k") == 5
    assert storage.get_expiry("k") == clock.now + 60
    assert storage.get("other") == 0
    clock.now += 59.9
    assert storage.incr("k", 60) == 6
    clock.now += 0.2  # past the window that began at the first hit
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1
    assert storage.get_expiry("k") == clock.now + 60
    storage.clear("k")
    assert storage.get("k") == 0
    assert storage.check()


def test_the_limiter_refuses_past_the_amount(database: Database) -> None:
    limiter = FixedWindowRateLimiter(DatabaseStorage(database.engine))
    item = RateLimitItemPerMinute(3)
    assert [limiter.hit(item, "a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(item, "b")
    assert limiter.get_window_stats(item, "a").remaining == 0


def test_concurrent_hits_from_many_connections_all_count(database: Database) -> None:
    # Two storages (as two worker processes would have), eight threads each hitting 25 times.
    storages = [DatabaseStorage(database.engine), DatabaseStorage(database.engine)]
    seen: list[int] = []
    lock = threading.Lock()

    def hit(storage: DatabaseStorage) -> None:
        for _ in range(25):
            value = storage.incr("shared", 600)
            with lock:
                seen.append(value)

    threads = [threading.Thread(target=hit, args=(storages[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 201))  # every hit got its own count: none lost
    assert storages[1].get("shared") == 200
