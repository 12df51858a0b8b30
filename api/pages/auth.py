"""Signing in with an API token, and signing out."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.access import AccessContext
from api.deps import ClockDep, DatabaseDep
from api.pages._render import PageRoute, error_page, render, see_other
from api.pages._web import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    PlainForm,
    PostedForm,
    clear_session_cookie,
    safe_next,
    set_session_cookie,
    set_sign_in_cookie,
    sign_in_token,
)
from governance_engine.errors import NotAuthenticated
from governance_engine.services import web_sessions

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _source(request: Request) -> str:
    """Whom failures are counted against: the client address (after trusted proxies)."""
    return request.client.host if request.client else "unknown"


def _form(request: Request, *, next_path: str, error: str | None, status: int = 200) -> Response:
    token = sign_in_token(request)
    access: AccessContext = request.app.state.access
    response = render(
        request,
        "sign_in.html",
        status=status,
        title="Sign in",
        sign_in_csrf=token,
        next_path=next_path,
        error=error,
        providers=[client.provider for client in access.clients.values()],
        email_sign_in=access.mailer is not None,
    )
    set_sign_in_cookie(response, request, token)
    return response


@router.get("/sign-in")
def sign_in_form(
    request: Request, database: DatabaseDep, clock: ClockDep, next: str = "/"
) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        try:
            with database.reader() as session:
                web_sessions.resolve(session, session_id=session_id, at=clock.now())
            return see_other(safe_next(next))
        except NotAuthenticated:
            pass
    return _form(request, next_path=safe_next(next), error=None)


@router.post("/sign-in")
def sign_in(request: Request, form: PlainForm, database: DatabaseDep, clock: ClockDep) -> Response:
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    submitted = form.get("csrf_token")
    if not expected or not hmac.compare_digest(expected.encode(), submitted.encode()):
        return error_page(
            request,
            403,
            "The sign-in form had expired or did not come from this site. Open the sign-in "
            "page again and paste your token.",
        )
    next_path = safe_next(form.get("next"))
    failure: web_sessions.SignInFailed | None = None
    signed: web_sessions.SignedIn | None = None
    # One unit of work: a refused token is recorded (and committed) before we answer.
    at = clock.now()
    with database.transaction() as session:
        try:
            signed = web_sessions.sign_in(
                session, token=form.get("token"), source=_source(request), at=at
            )
        except web_sessions.SignInFailed as refused:
            failure = refused
        else:  # a new session replaces the one this browser had, if any
            previous = request.cookies.get(SESSION_COOKIE)
            if previous:
                web_sessions.sign_out(session, session_id=previous, at=at)
    if signed is None:
        message = failure.message if failure else "sign-in refused"
        return _form(request, next_path=next_path, error=message, status=401)
    response = see_other(next_path)
    set_session_cookie(response, request, signed.session_id)
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out")
def sign_out(
    request: Request, posted: PostedForm, database: DatabaseDep, clock: ClockDep
) -> Response:
    with database.transaction() as session:
        web_sessions.sign_out(
            session, session_id=request.cookies.get(SESSION_COOKIE, ""), at=clock.now()
        )
    response = see_other("/sign-in")
    clear_session_cookie(response, request)
    return response
