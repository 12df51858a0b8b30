"""Serving the in-process app to schemathesis's ASGI transport."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def served_by_the_fixture(app: ASGIApp) -> ASGIApp:
    """The app as the ``api`` fixture serves it, for schemathesis's ASGI transport.

    Without its lifespan: the fixture's TestClient already ran startup (the database, the
    world's workflow catalog, the signing key); an app that refuses the lifespan scope is served
    without one. And, like that TestClient (``raise_server_exceptions=False``), it lets the 500
    answer through: Starlette re-raises an unhandled error after sending the response, and the
    response is what the checks judge.
    """

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("lifespan is handled by the api fixture")
        started = False

        async def watch(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, watch)
        except Exception:
            if not started:
                raise

    return asgi
