"""Rendering pages: one autoescaping Jinja2 environment, security headers, and error pages.

Every page route uses ``PageRoute``, so whatever a route or its dependencies raise becomes a
page (never the API's problem+json): a missing session redirects to the sign-in form, a bad
CSRF token is a 403 page, and domain errors get the status the API's one table gives them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from functools import cache
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.pages._labels import action_label, explained, state_label, when
from api.pages._markdown import render_markdown
from api.pages._web import (
    FLASH_COOKIE,
    CsrfRejected,
    SignInRequired,
    Viewer,
    clear_session_cookie,
    take_flash,
)
from api.problems import retry_after_header, status_of
from api.retry import RetryingRoute
from governance_engine.errors import GovernanceError
from governance_engine.lifecycle import humanize
from governance_engine.log import format_timestamp
from governance_engine.services.web_sessions import SignInThrottled

logger = logging.getLogger("governance_engine.pages")

# No script runs on these pages, and nothing is loaded from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    409: "Not possible now",
    412: "Changed in the meantime",
    422: "Invalid input",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Unavailable",
}


def _compact_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("api.pages", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["timestamp"] = format_timestamp
    env.filters["words"] = humanize
    env.filters["state_label"] = state_label
    env.filters["explained"] = explained
    env.filters["action_label"] = action_label
    env.filters["json"] = _compact_json
    env.filters["markdown"] = render_markdown
    return env


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    notice = take_flash(request)
    context.setdefault("section", "")
    body = (
        environment()
        .get_template(template)
        .render(me=viewer, csrf=viewer.csrf if viewer else "", flash=notice, **context)
    )
    response = HTMLResponse(
        body, status_code=status, headers={**SECURITY_HEADERS, **(headers or {})}
    )
    if notice is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def see_other(target: str) -> RedirectResponse:
    """The answer to a form that worked: go and look at the result (POST/redirect/GET)."""
    return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)


def error_page(
    request: Request, status: int, message: str, *, headers: dict[str, str] | None = None
) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status=status,
        headers=headers,
        title=TITLES.get(status, "Error"),
        message=message,
        status_code=status,
    )


def _sign_in_redirect(request: Request, required: SignInRequired) -> Response:
    target = "/sign-in"
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if here != "/":
            target += "?next=" + quote(here, safe="")
    response = see_other(target)
    if required.clear_cookie:
        clear_session_cookie(response, request)
    return response


class PageRoute(RetryingRoute):
    """A route whose failures are pages for people (re-run on serialization failures first)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as required:
                return _sign_in_redirect(request, required)
            except CsrfRejected:
                return error_page(
                    request,
                    403,
                    "The form did not carry this session's security token, so nothing was "
                    "changed. Reload the page and try again.",
                )
            except SignInThrottled as throttled:
                seconds = max(1, int(throttled.retry_after.total_seconds()))
                return error_page(
                    request, 429, throttled.message, headers={"Retry-After": str(seconds)}
                )
            except GovernanceError as error:
                return error_page(
                    request, status_of(error), error.message, headers=retry_after_header(error)
                )
            except RequestValidationError as invalid:
                problems = "; ".join(
                    f"{'.'.join(str(part) for part in item.get('loc', ()))}: {item.get('msg')}"
                    for item in invalid.errors()
                )
                return error_page(request, 422, problems or "the request is not valid")
            except HTTPException as error:
                return error_page(request, error.status_code, str(error.detail))
            except Exception:
                logger.exception("unhandled error on %s %s", request.method, request.url.path)
                return error_page(request, 500, "An unexpected error occurred; it was logged.")

        return page_handler
