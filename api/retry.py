"""Re-run a whole request when the database says another transaction won.

Under SERIALIZABLE isolation on PostgreSQL (or PostgreSQL-compatible distributed SQL), two
concurrent actions can fail with a serialization failure or a deadlock. Each endpoint runs
its unit of work inside itself, so re-running the endpoint re-runs all of it: the change, its
log entry and its outbox rows are written once, by the attempt that commits. The policy is
the database's (``governance_engine.persistence.retry``); when it runs out, the request
fails with ``TryAgain``, answered 503 with ``Retry-After`` (``api.problems``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from governance_engine.persistence.database import Database


class RetryingRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def retrying(request: Request) -> Response:
            database: Database = request.app.state.database
            return await database.contention.run_async(
                lambda: handler(request),
                what=f"{request.method} {request.url.path}",
                on_retry=database.count_retry,
            )

        return retrying
