"""Re-run a whole request when the database says another transaction won.

Under SERIALIZABLE isolation on PostgreSQL (or PostgreSQL-compatible distributed SQL), two
concurrent actions can fail with a serialization failure or a deadlock. Each endpoint runs
its unit of work inside itself, so re-running the endpoint re-runs all of it: the change, its
log entry and its outbox rows are written once, by the attempt that commits.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError

from governance_engine.persistence.database import is_retryable

logger = logging.getLogger("governance_engine.api")

ATTEMPTS = 6


class RetryingRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def retrying(request: Request) -> Response:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    return await handler(request)
                except DBAPIError as error:
                    if attempt == ATTEMPTS or not is_retryable(error):
                        raise
                    logger.warning(
                        "retrying %s %s after a serialization failure (attempt %d)",
                        request.method,
                        request.url.path,
                        attempt,
                    )
                    await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311
            raise AssertionError("unreachable")

        return retrying
