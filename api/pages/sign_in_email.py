"""Signing in by e-mail: asking for a link, using it, and accepting an invitation.

``POST /sign-in/email`` answers the same whether or not the address is known, and sends the
mail after the answer (a background task), so neither the words nor the time tell.
A link or an invitation opens on a page with a button (``GET`` shows, ``POST`` uses): mail
scanners that fetch every link in a mail do not use it up.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from starlette.background import BackgroundTask
from starlette.responses import Response

from api.access import AccessDep
from api.deps import ClockDep, DatabaseDep
from api.pages._render import PageRoute, error_page, render
from api.pages._signing_in import open_and_redirect, sign_in_csrf_refused
from api.pages._web import PlainForm, safe_next, set_sign_in_cookie, sign_in_token
from governance_engine.errors import NotFound
from governance_engine.persistence.mail_sender import Mail, Mailer
from governance_engine.services import access

router = APIRouter(route_class=PageRoute, include_in_schema=False)
logger = logging.getLogger("governance_engine.pages")


def _send(mailer: Mailer, mail: Mail) -> None:
    failure = mailer.send(mail)
    if failure is not None:
        logger.warning("a sign-in mail was not accepted by the mail server: %s", failure)


@router.post("/sign-in/email")
def request_link(
    request: Request,
    form: PlainForm,
    database: DatabaseDep,
    clock: ClockDep,
    access_: AccessDep,
) -> Response:
    if (refused := sign_in_csrf_refused(request, form)) is not None:
        return refused
    if access_.mailer is None:
        raise NotFound("sign-in by e-mail is not set up here (no mail server is configured)")
    email = form.get("email").strip().lower()[:320]
    if "@" not in email:
        return error_page(request, 422, "Enter your e-mail address.")
    over = access_.limits.hit_sign_in_email(email)
    if over is not None:
        minutes = max(1, round(over.retry_after / 60))
        return error_page(
            request,
            429,
            f"Too many sign-in links were asked for this address: wait about {minutes} "
            f"minute{'' if minutes == 1 else 's'} and try again.",
            headers={"Retry-After": str(over.retry_after)},
        )
    with database.transaction() as session:
        mail = access.request_sign_in_link(
            session, email=email, at=clock.now(), base_url=access_.base_url(request)
        )
    response = render(request, "sign_in_sent.html", title="Check your e-mail", email=email)
    if mail is not None:
        response.background = BackgroundTask(_send, access_.mailer, mail)
    return response


def _confirm(request: Request, template: str, **context: Any) -> Response:
    token = sign_in_token(request)
    response = render(request, template, sign_in_csrf=token, **context)
    set_sign_in_cookie(response, request, token)
    return response


@router.get("/sign-in/link")
def show_link(request: Request, token: str = "") -> Response:
    return _confirm(request, "sign_in_link.html", title="Sign in", token=token[:200])


@router.post("/sign-in/link")
def use_link(request: Request, form: PlainForm, database: DatabaseDep, clock: ClockDep) -> Response:
    if (refused := sign_in_csrf_refused(request, form)) is not None:
        return refused
    token = form.get("token")
    return open_and_redirect(
        request,
        database,
        clock,
        lambda session: access.sign_in_with_link(session, token=token, at=clock.now()),
        "/",
    )


@router.get("/sign-in/invitation")
def show_invitation(
    request: Request, database: DatabaseDep, clock: ClockDep, access_: AccessDep, token: str = ""
) -> Response:
    with database.reader() as session:
        _, person = access.check_invitation(session, token=token[:200], at=clock.now())
    return _confirm(
        request,
        "invitation.html",
        title="Your invitation",
        token=token[:200],
        name=person.name,
        providers=[client.provider for client in access_.clients.values()],
    )


@router.post("/sign-in/invitation")
def accept_invitation(
    request: Request, form: PlainForm, database: DatabaseDep, clock: ClockDep
) -> Response:
    if (refused := sign_in_csrf_refused(request, form)) is not None:
        return refused
    token = form.get("token")
    return open_and_redirect(
        request,
        database,
        clock,
        lambda session: access.sign_in_with_invitation(session, token=token, at=clock.now()),
        safe_next(form.get("next")),
    )
