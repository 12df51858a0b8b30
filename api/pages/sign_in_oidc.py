"""Signing in through an OpenID Connect provider: ``/sign-in/oidc/{provider}`` and its callback.

The redirect stores what the callback must check (provider, ``state``, ``nonce``, the PKCE
verifier, where to go next, an invitation being accepted) in the ``ge_oidc`` cookie
(HttpOnly, SameSite=Lax so the provider's redirect back carries it, ten minutes, only under
``/sign-in/oidc``). The callback refuses a ``state`` that is not that cookie's, which also
ties the answer to the browser that asked.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import asdict, dataclass

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from api.access import AccessDep
from api.deps import ClockDep, DatabaseDep
from api.pages._render import SECURITY_HEADERS, PageRoute, error_page, see_other
from api.pages._signing_in import open_and_redirect
from api.pages._web import is_secure, safe_next
from governance_engine.errors import NotFound
from governance_engine.persistence.oidc_client import OidcClient, OidcFailed
from governance_engine.services import access

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FLOW_COOKIE = "ge_oidc"
FLOW_PATH = "/sign-in/oidc"
FLOW_SECONDS = 600


@dataclass(frozen=True)
class Flow:
    provider: str
    state: str
    nonce: str
    verifier: str
    next: str
    invitation: str


def _encode(flow: Flow) -> str:
    return base64.urlsafe_b64encode(json.dumps(asdict(flow)).encode()).decode()


def _decode(raw: str) -> Flow | None:
    try:
        fields = json.loads(base64.urlsafe_b64decode(raw.encode()))
        return Flow(**{key: str(fields[key]) for key in Flow.__dataclass_fields__})
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def _client(access_: AccessDep, provider: str) -> OidcClient:
    client = access_.clients.get(provider)
    if client is None:
        raise NotFound(f"there is no sign-in provider named {provider!r} here")
    return client


def callback_url(request: Request, access_: AccessDep, provider: str) -> str:
    return f"{access_.base_url(request)}{FLOW_PATH}/{provider}/callback"


@router.get(FLOW_PATH)
def sign_in_oidc(
    request: Request, access_: AccessDep, next: str = "/", invitation: str = ""
) -> Response:
    """With one provider configured, go to it; with several, to the page that lists them."""
    if len(access_.clients) != 1:
        if not access_.clients:
            raise NotFound("no OpenID provider is configured here: sign in another way")
        return see_other("/sign-in")
    (name,) = access_.clients
    return start(name, request, access_, next, invitation)


@router.get(FLOW_PATH + "/{provider}")
def start(
    provider: str, request: Request, access_: AccessDep, next: str = "/", invitation: str = ""
) -> Response:
    client = _client(access_, provider)
    asked = client.authorization_request(callback_url(request, access_, provider))
    flow = Flow(
        provider, asked.state, asked.nonce, asked.code_verifier, safe_next(next), invitation[:200]
    )
    response = RedirectResponse(asked.url, status_code=303, headers=SECURITY_HEADERS)
    response.set_cookie(
        FLOW_COOKIE,
        _encode(flow),
        max_age=FLOW_SECONDS,
        path=FLOW_PATH,
        secure=is_secure(request),
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(FLOW_PATH + "/{provider}/callback")
def callback(
    provider: str,
    request: Request,
    access_: AccessDep,
    database: DatabaseDep,
    clock: ClockDep,
    state: str = "",
    code: str = "",
    error: str = "",
    iss: str = "",
) -> Response:
    client = _client(access_, provider)
    flow = _decode(request.cookies.get(FLOW_COOKIE, ""))
    if flow is None or flow.provider != provider or not state:
        return error_page(
            request,
            400,
            "This sign-in was not started here, or took longer than ten minutes. Start again "
            "from the sign-in page.",
        )
    if not hmac.compare_digest(flow.state.encode(), state.encode()):
        return error_page(request, 400, "This answer from the provider is not for this sign-in.")
    if iss and iss.rstrip("/") != client.provider.issuer:  # RFC 9207: no mix-up
        return error_page(request, 400, "This answer came from another provider.")
    if error or not code:
        return error_page(
            request,
            401,
            f"{client.provider.label} did not sign you in ({error or 'no code'}). "
            "Start again from the sign-in page.",
        )
    try:
        identity = client.complete(
            redirect_uri=callback_url(request, access_, provider),
            code=code,
            nonce=flow.nonce,
            code_verifier=flow.verifier,
        )
        response = open_and_redirect(
            request,
            database,
            clock,
            lambda session: access.sign_in_identity(
                session, identity=identity, at=clock.now(), invitation=flow.invitation or None
            ),
            flow.next,
        )
    except access.UnknownIdentity as unknown:
        response = error_page(request, 403, unknown.message)
    except OidcFailed as failed:
        response = error_page(request, 401, failed.message)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)
    return response
