"""An OpenID Connect relying party (Authlib): discovery, the authorization request, and the
checked result of the code exchange. The only network I/O of OpenID sign-in.

Authorization code flow with PKCE (S256), ``state`` and ``nonce``. The ID token's signature
is checked against the provider's published keys (``jwks_uri``), and its claims: ``iss`` is
the configured issuer, ``aud`` holds our client id (``azp`` too when there are several
audiences), ``exp``/``iat`` are current, ``nonce`` is the one this browser was given.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from governance_engine.config_access import OidcProvider
from governance_engine.errors import NotAuthenticated

DISCOVERY_TTL = 3600.0  # seconds a provider's metadata and keys are reused
LEEWAY = 120  # seconds of clock difference tolerated on exp, iat and nbf


class OidcFailed(NotAuthenticated):
    """The provider could not be used, or what it answered did not check out."""

    code = "oidc-failed"


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str  # where to send the browser
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider vouches for. ``email`` is set only when the provider verified it."""

    issuer: str
    subject: str
    email: str | None


class OidcClient:
    def __init__(self, provider: OidcProvider, *, timeout: float = 10.0) -> None:
        self.provider = provider
        self.timeout = timeout
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: dict[str, Any] | None = None
        self._fetched = 0.0

    def _get(self, url: str) -> dict[str, Any]:
        try:
            response = httpx2.get(url, timeout=self.timeout, follow_redirects=False)
            response.raise_for_status()
            document = response.json()
        except (httpx2.HTTPError, ValueError) as error:
            raise OidcFailed(
                f"the sign-in provider {self.provider.label} could not be reached "
                f"({type(error).__name__}); try again later"
            ) from None
        if not isinstance(document, dict):
            raise OidcFailed(f"the sign-in provider {self.provider.label} answered nonsense")
        return document

    def metadata(self, *, refresh: bool = False) -> dict[str, Any]:
        """The provider's discovery document (``/.well-known/openid-configuration``)."""
        with self._lock:
            fresh = time.monotonic() - self._fetched < DISCOVERY_TTL
            if self._metadata is not None and fresh and not refresh:
                return self._metadata
        document = self._get(self.provider.issuer + "/.well-known/openid-configuration")
        if document.get("issuer", "").rstrip("/") != self.provider.issuer:
            raise OidcFailed(
                f"the sign-in provider {self.provider.label} names another issuer "
                f"({document.get('issuer')!r}) than the one configured"
            )
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(key), str):
                raise OidcFailed(f"the sign-in provider {self.provider.label} has no {key}")
        keys = self._get(document["jwks_uri"])
        with self._lock:
            self._metadata, self._keys, self._fetched = document, keys, time.monotonic()
        return document

    def _client(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.provider.client_id,
            client_secret=self.provider.client_secret,
            scope=self.provider.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=self.timeout,
        )

    def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        endpoint = self.metadata()["authorization_endpoint"]
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=verifier
            )
        return AuthorizationRequest(str(url), state, nonce, verifier)

    def complete(
        self, *, redirect_uri: str, code: str, nonce: str, code_verifier: str
    ) -> VerifiedIdentity:
        """Exchange the code and check the ID token; OidcFailed if anything is wrong.

        The caller has already compared the returned ``state`` with the one it stored.
        """
        metadata = self.metadata()
        try:
            with self._client(redirect_uri) as client:
                token = client.fetch_token(
                    metadata["token_endpoint"], code=code, code_verifier=code_verifier
                )
        except Exception as error:  # Authlib raises its own OAuthError and httpx2's errors
            raise OidcFailed(
                f"the sign-in provider {self.provider.label} refused the sign-in "
                f"({type(error).__name__}): start again"
            ) from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcFailed(f"the sign-in provider {self.provider.label} sent no ID token")
        claims = self._checked_claims(id_token, token, nonce)
        email = claims.get("email")
        if email is None and metadata.get("userinfo_endpoint"):
            claims = {**claims, **self._userinfo(metadata["userinfo_endpoint"], token, claims)}
            email = claims.get("email")
        verified = claims.get("email_verified") is True
        return VerifiedIdentity(
            issuer=self.provider.issuer,
            subject=str(claims["sub"]),
            email=email.strip().lower() if isinstance(email, str) and verified else None,
        )

    def _checked_claims(self, id_token: str, token: dict[str, Any], nonce: str) -> dict[str, Any]:
        metadata = self.metadata()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[alg for alg in algorithms if alg != "none"])
        for attempt in range(2):  # once more with fresh keys: the provider may have rotated
            assert self._keys is not None
            try:
                keys = KeySet.import_key_set(self._keys)  # type: ignore[arg-type]
                decoded = jwt.decode(id_token, keys, registry=registry)
                break
            except JoseError as error:
                if attempt == 0:
                    self.metadata(refresh=True)
                    continue
                raise OidcFailed(
                    f"the ID token from {self.provider.label} failed its signature check "
                    f"({error.error})"
                ) from None
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": self.provider.issuer},
            "aud": {"essential": True, "value": self.provider.client_id},
            "sub": {"essential": True},
        }
        params = {
            "nonce": nonce,
            "client_id": self.provider.client_id,
            "access_token": token.get("access_token"),
        }
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        try:
            claims.validate(leeway=LEEWAY)
        except JoseError as error:
            raise OidcFailed(
                f"the ID token from {self.provider.label} did not check out ({error.error}: "
                f"{error.description or ''})"
            ) from None
        return dict(claims)

    def _userinfo(
        self, endpoint: str, token: dict[str, Any], claims: dict[str, Any]
    ) -> dict[str, Any]:
        """E-mail claims from the userinfo endpoint, when the ID token carries none."""
        try:
            response = httpx2.get(
                endpoint,
                headers={"Authorization": f"Bearer {token.get('access_token', '')}"},
                timeout=self.timeout,
            )
            response.raise_for_status()
            info = response.json()
        except (httpx2.HTTPError, ValueError):
            return {}
        if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
            return {}  # OIDC Core 5.3.2: the userinfo sub must be the ID token's
        return {key: info[key] for key in ("email", "email_verified") if key in info}
