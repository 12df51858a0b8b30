"""Bounded abuse: how many writes a token (or session) may make, and how many sign-in links
an address may be sent, with the ``limits`` library.

Writes: ``burst`` within ``burst / per_minute`` minutes (by default 120 in 2 minutes: on
average 60 a minute, with room for a burst of 120), fixed windows. Sign-in links:
``email_per_hour`` per address per hour. The counters live in the database
(``persistence.rate_counters``), or in Redis when a URL is configured, so they hold across
every worker and host.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerSecond
from limits.storage import RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Engine

from governance_engine.config_access import AccessSettings
from governance_engine.persistence.rate_counters import DatabaseStorage


@dataclass(frozen=True)
class Refused:
    """Over the limit; try again after ``retry_after`` seconds."""

    retry_after: int


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


class RateLimits:
    def __init__(
        self,
        storage: Storage,
        *,
        writes_per_minute: int,
        burst: int,
        email_per_hour: int,
    ) -> None:
        self.storage = storage
        self._limiter = FixedWindowRateLimiter(storage)
        self._writes: RateLimitItem | None = None
        if writes_per_minute > 0:
            window = max(1, math.ceil(60 * burst / writes_per_minute))
            self._writes = RateLimitItemPerSecond(burst, window, namespace="ge-writes")
        self._emails: RateLimitItem | None = (
            RateLimitItemPerHour(email_per_hour, namespace="ge-sign-in-email")
            if email_per_hour > 0
            else None
        )

    @classmethod
    def from_settings(cls, settings: AccessSettings, engine: Engine) -> RateLimits:
        storage: Storage = (
            RedisStorage(settings.redis_url) if settings.redis_url else DatabaseStorage(engine)
        )
        return cls(
            storage,
            writes_per_minute=settings.rate_limit_writes,
            burst=settings.rate_limit_burst,
            email_per_hour=settings.sign_in_email_limit,
        )

    def _hit(self, item: RateLimitItem | None, key: str) -> Refused | None:
        if item is None or self._limiter.hit(item, key):
            return None
        reset = self._limiter.get_window_stats(item, key).reset_time
        return Refused(max(1, math.ceil(reset - time.time())))

    def hit_write(self, credential: str) -> Refused | None:
        """Count one write made with ``credential`` (a token or session id; only its hash is
        kept); Refused once its budget is spent."""
        return self._hit(self._writes, _digest(credential))

    def hit_sign_in_email(self, address: str) -> Refused | None:
        """Count one request for a sign-in link to ``address``, known or not."""
        return self._hit(self._emails, _digest(address.strip().lower()))
