"""Shared by every way of signing in: the sign-in forms' CSRF check, and opening a session."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.pages._render import error_page, see_other
from api.pages._web import SESSION_COOKIE, SIGN_IN_COOKIE, Form, set_session_cookie
from governance_engine.clock import Clock
from governance_engine.persistence.database import Database
from governance_engine.services import web_sessions
from governance_engine.services.web_sessions import SignedIn


def sign_in_csrf_refused(request: Request, form: Form) -> Response | None:
    """A 403 page unless the form carries the sign-in cookie's token (double submit)."""
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    submitted = form.get("csrf_token")
    if expected and hmac.compare_digest(expected.encode(), submitted.encode()):
        return None
    return error_page(
        request,
        403,
        "The sign-in form had expired or did not come from this site. Open the sign-in page again.",
    )


def open_and_redirect(
    request: Request,
    database: Database,
    clock: Clock,
    sign_in: Callable[[Session], SignedIn],
    next_path: str,
) -> Response:
    """Run ``sign_in`` in one unit of work (replacing this browser's old session), then set
    the cookie and go to ``next_path``. Domain errors propagate (and roll back)."""
    at = clock.now()
    with database.transaction() as session:
        signed = sign_in(session)
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            web_sessions.sign_out(session, session_id=previous, at=at)
    response = see_other(next_path)
    set_session_cookie(response, request, signed.session_id)
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return response
