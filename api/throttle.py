"""Per-token write limits: every POST, PUT, PATCH and DELETE made with one API token (or one
browser session) counts against its budget (``services.access.RateLimits``); over it, 429
with ``Retry-After``, before the request is read or anything changes.

The API answers ``application/problem+json``; the pages a page. Requests with neither a token
nor a session are not counted here: they change nothing but a sign-in, which has limits of
its own (failed tokens per address, e-mail links per address).
"""

from __future__ import annotations

import json
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.access import AccessContext
from api.problems import PROBLEM_MEDIA_TYPE, TYPE_PREFIX

logger = logging.getLogger("governance_engine.api")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "ge_session"


def _credential(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + token.strip()
    session_id = request.cookies.get(SESSION_COOKIE)
    return "session:" + session_id if session_id else None


class WriteRateLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        access: AccessContext | None = getattr(request.app.state, "access", None)
        credential = _credential(request)
        if access is None or credential is None:
            await self.app(scope, receive, send)
            return
        try:
            refused = await run_in_threadpool(access.limits.hit_write, credential)
        except Exception:  # the counters' store is down: serve rather than refuse everyone
            logger.exception("rate limit store failed; request let through")
            refused = None
        if refused is None:
            await self.app(scope, receive, send)
            return
        seconds = refused.retry_after
        detail = (
            f"too many writes with this credential: at most {access.settings.rate_limit_burst} "
            f"in a burst, {access.settings.rate_limit_writes} a minute on average; try again "
            f"in {seconds} s"
        )
        if request.url.path.startswith("/api/"):
            body = json.dumps(
                {
                    "type": TYPE_PREFIX + "rate-limited",
                    "title": "Too many requests",
                    "status": 429,
                    "detail": detail,
                    "instance": request.url.path,
                }
            ).encode()
            media_type = PROBLEM_MEDIA_TYPE
        else:
            from api.pages._render import error_page  # the pages render their own errors

            page = error_page(request, 429, detail[0].upper() + detail[1:] + ".")
            body, media_type = bytes(page.body), "text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", media_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(seconds).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
