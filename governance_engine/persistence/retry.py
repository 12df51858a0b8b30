"""The one retry policy for contention: re-run a whole unit of work when another one won.

PostgreSQL at SERIALIZABLE (and PostgreSQL-compatible distributed SQL) refuses one of two
transactions that could not have run one after the other (``40001``), and any isolation
can pick a deadlock victim (``40P01``); SQLite can still say "database is locked" after its
busy timeout. Each of these means: nothing was written, run the same work again.

Every edge re-runs its work through ``ContentionRetry``: the API's routes (``api.retry``),
and the CLI, ``tick`` and the periodic tasks through ``Database.run``. Waits grow
exponentially with full jitter (tenacity's ``wait_random_exponential``), so writers that
collided spread out instead of colliding again. When the attempts
(``GOVERNANCE_DB_RETRY_ATTEMPTS``, 6 by default) run out, the work fails with ``TryAgain``:
nothing was changed, and the client may send the same request again later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from governance_engine.errors import TryAgain

T = TypeVar("T")

logger = logging.getLogger("governance_engine.retry")

DEFAULT_ATTEMPTS = 6

# PostgreSQL SQLSTATEs that mean "run the whole unit of work again":
# serialization_failure and deadlock_detected.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_retryable(error: BaseException) -> bool:
    """True for failures that mean "another transaction won; run the whole unit again"."""
    if isinstance(error, DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None)
        if sqlstate in _RETRYABLE_SQLSTATES:
            return True
        if isinstance(error, OperationalError) and "database is locked" in str(error.orig):
            return True
    return False


@dataclass(frozen=True)
class ContentionRetry:
    """How often and how patiently a unit of work is re-run after losing to another one.

    The n-th wait is drawn uniformly from [0, min(``longest_wait``, ``first_wait`` * 2^(n-1))]
    seconds: with 6 attempts at most 3.1 s of waiting in all, 1.55 s on average. Sized with
    ``benchmarks/contention.py`` (16 clients, SERIALIZABLE, every writer moving the log head):
    waits half as long left 12 to 16 % of the votes answered try-again, these 6 %.
    """

    attempts: int = DEFAULT_ATTEMPTS
    first_wait: float = 0.1
    longest_wait: float = 1.6
    retry_after: timedelta = timedelta(seconds=1)
    """What a client is told to wait (``Retry-After``) when the attempts ran out."""

    def run(
        self, work: Callable[[], T], *, what: str, on_retry: Callable[[], None] | None = None
    ) -> T:
        """``work()``, re-run on contention; ``TryAgain`` when the attempts ran out."""
        retrying = Retrying(**self._options(what, on_retry))
        return retrying(work)

    async def run_async(
        self,
        work: Callable[[], Awaitable[T]],
        *,
        what: str,
        on_retry: Callable[[], None] | None = None,
    ) -> T:
        """``await work()``, re-run on contention; ``TryAgain`` when the attempts ran out."""

        async def attempt() -> T:  # tenacity awaits only what a coroutine function returns
            return await work()

        retrying = AsyncRetrying(**self._options(what, on_retry))
        return await retrying(attempt)

    def _options(self, what: str, on_retry: Callable[[], None] | None) -> dict[str, Any]:
        def before_sleep(state: RetryCallState) -> None:
            if on_retry is not None:
                on_retry()
            logger.info(
                "%s lost to a concurrent change (attempt %d of %d); running it again",
                what,
                state.attempt_number,
                self.attempts,
            )

        def give_up(state: RetryCallState) -> Any:
            error = state.outcome.exception() if state.outcome is not None else None
            logger.warning(
                "%s lost to concurrent changes %d times; answered try-again", what, self.attempts
            )
            raise TryAgain(
                f"{what} conflicted with concurrent changes {self.attempts} times and was not "
                "applied; nothing was changed: send it again",
                retry_after=self.retry_after,
            ) from error

        return {
            "stop": stop_after_attempt(self.attempts),
            "wait": wait_random_exponential(multiplier=self.first_wait, max=self.longest_wait),
            "retry": retry_if_exception(is_retryable),
            "before_sleep": before_sleep,
            "retry_error_callback": give_up,
        }
