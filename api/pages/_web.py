"""The pages' plumbing: the session cookie, who is signed in, posted forms and their CSRF check.

Cookies: ``ge_session`` holds the random session id (HttpOnly, SameSite=Lax, Secure when the
request came over HTTPS, as uvicorn reports it after applying ``X-Forwarded-Proto`` from the
proxies it trusts, ``--forwarded-allow-ips``); ``ge_signin`` is the sign-in form's own CSRF
token (double submit, before there is a session); ``ge_flash`` carries a one-line notice to
the page a form redirects to.

Forms are plain ``application/x-www-form-urlencoded`` and parsed here, so the pages need no
multipart parser. Every POST but sign-in goes through ``checked_form``: no session, a redirect
to the sign-in page; a missing or wrong CSRF token, 403; either way before anything changes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qs, quote, unquote

from fastapi import Depends, Request
from starlette.responses import Response

from api.deps import ClockDep, DatabaseDep
from governance_engine.errors import InvalidInput, NotAuthenticated
from governance_engine.services import web_sessions
from governance_engine.services.identity import Actor
from governance_engine.services.web_sessions import WebIdentity

SESSION_COOKIE = "ge_session"
SIGN_IN_COOKIE = "ge_signin"
FLASH_COOKIE = "ge_flash"
MAX_FORM_BYTES = 4_000_000  # a revision may be 1 MB of UTF-8, which URL-encoding inflates
MAX_FORM_FIELDS = 200
FORM_TYPE = "application/x-www-form-urlencoded"


class SignInRequired(Exception):
    """No live session: the page redirects to the sign-in form."""

    def __init__(self, reason: str = "", *, clear_cookie: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.clear_cookie = clear_cookie


class CsrfRejected(Exception):
    """A form without this session's CSRF token: refused with 403 before anything changes."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person, as the pages see them."""

    identity: WebIdentity

    @property
    def actor(self) -> Actor:
        return self.identity.actor

    @property
    def csrf(self) -> str:
        return self.identity.csrf_token

    @property
    def reads_log(self) -> bool:
        """The decision log is for auditors and admins, as in the API."""
        return self.actor.is_auditor or self.actor.is_admin


@dataclass(frozen=True)
class Form:
    """Posted fields by name; a name may repeat."""

    fields: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[-1] if values else default

    def optional_int(self, name: str) -> int | None:
        return parse_int(self.get(name).strip(), name)


@dataclass(frozen=True)
class Posted:
    viewer: Viewer
    form: Form


def parse_int(text: str, name: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit() or len(text) > 18:
        raise InvalidInput(f"{name} must be a whole number, not {text!r}", field=name)
    return int(text)


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, session_id: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(web_sessions.SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=is_secure(request),
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=is_secure(request), httponly=True, samesite="lax"
    )


def sign_in_token(request: Request) -> str:
    """The sign-in form's CSRF token: the one already in the browser's cookie, or a new one."""
    current = request.cookies.get(SIGN_IN_COOKIE, "")
    return current if 20 <= len(current) <= 64 else secrets.token_urlsafe(24)


def set_sign_in_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=3600,
        path="/sign-in",
        secure=is_secure(request),
        httponly=True,
        samesite="strict",
    )


def flash(response: Response, request: Request, message: str) -> None:
    """A one-line notice for the next page (plain text; escaped when shown)."""
    response.set_cookie(
        FLASH_COOKIE,
        quote(message[:300]),
        max_age=60,
        path="/",
        secure=is_secure(request),
        httponly=True,
        samesite="lax",
    )


def take_flash(request: Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    return unquote(raw) if raw else None


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in; anything else goes to the dashboard."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(character) < 32 for character in target)
        or len(target) > 2000
    ):
        return "/"
    return target


async def read_form(request: Request) -> Form:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("", FORM_TYPE):
        raise InvalidInput(f"forms must be sent as {FORM_TYPE}")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InvalidInput("the form is too large")
    try:
        text = body.decode("utf-8")
        fields = parse_qs(
            text,
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
            encoding="utf-8",
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("the form could not be read") from None
    # Browsers send a textarea's line breaks as CRLF; the services store text with LF.
    return Form(
        {name: [value.replace("\r\n", "\n") for value in values] for name, values in fields.items()}
    )


PlainForm = Annotated[Form, Depends(read_form)]


def get_viewer(request: Request, database: DatabaseDep, clock: ClockDep) -> Viewer:
    """The person whose session cookie came with the request; SignInRequired if none."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise SignInRequired()
    at = clock.now()
    try:
        with database.reader() as session:
            identity = web_sessions.resolve(session, session_id=session_id, at=at)
    except NotAuthenticated as ended:
        # A revoked token or an expiry ends the session for good, not only in this browser.
        with database.transaction() as session:
            web_sessions.sign_out(session, session_id=session_id, at=at, logged=False)
        raise SignInRequired(ended.message, clear_cookie=True) from None
    viewer = Viewer(identity)
    request.state.viewer = viewer
    return viewer


CurrentViewer = Annotated[Viewer, Depends(get_viewer)]


async def checked_form(request: Request, viewer: CurrentViewer) -> Posted:
    """The posted form of a signed-in person, once its CSRF token matched the session's."""
    form = await read_form(request)
    if not web_sessions.csrf_matches(viewer.identity, form.get("csrf_token")):
        raise CsrfRejected()
    return Posted(viewer, form)


PostedForm = Annotated[Posted, Depends(checked_form)]
