"""The ID token checks, one by one, on tokens signed here with keys made here (the whole
flow against a real provider is in tests/pages/test_sign_in_oidc.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from governance_engine.config_access import OidcProvider
from governance_engine.persistence.oidc_client import OidcClient, OidcFailed

ISSUER = "https://sso.example.org"
PROVIDER = OidcProvider("sso", "SSO", ISSUER, "governance", "secret")
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})


def client() -> OidcClient:
    made = OidcClient(PROVIDER)
    metadata = {"issuer": ISSUER, "id_token_signing_alg_values_supported": ["RS256"]}
    made._metadata, made._keys = metadata, KeySet([KEY]).as_dict(private=False)
    made.metadata = lambda refresh=False: metadata  # type: ignore[method-assign]
    return made


def token(key: RSAKey = KEY, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "alice",
        "aud": "governance",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        **overrides,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def check(id_token: str, nonce: str = "n-1") -> dict[str, Any]:
    return client()._checked_claims(id_token, {"access_token": "at"}, nonce)


def test_a_good_token_passes() -> None:
    assert check(token())["sub"] == "alice"


# Tokens are made when the test runs, not when it is collected: under a long parallel run
# a token made at collection would have expired, and every case would fail on ``exp``.
@pytest.mark.parametrize(
    ("make", "nonce", "says"),
    [
        (lambda: token(key=OTHER_KEY), "n-1", "signature"),
        (lambda: token(), "n-2", "nonce"),
        (lambda: token(nonce=None), "n-1", "nonce"),
        (lambda: token(aud="someone-else"), "n-1", "aud"),
        (lambda: token(iss="https://evil.example.org"), "n-1", "iss"),
        (lambda: token(exp=int(time.time()) - 3600), "n-1", "exp"),
        (lambda: token(sub=None), "n-1", "sub"),
        (lambda: token(aud=["governance", "other"], azp="other"), "n-1", "azp"),
    ],
    ids=["signature", "nonce", "no-nonce", "aud", "iss", "exp", "sub", "azp"],
)
def test_a_bad_token_is_refused(make: Callable[[], str], nonce: str, says: str) -> None:
    with pytest.raises(OidcFailed, match=says):
        check(make(), nonce)


def test_an_unsigned_token_is_refused() -> None:
    header = "eyJhbGciOiJub25lIn0"  # {"alg":"none"}
    body = token().split(".")[1]
    with pytest.raises(OidcFailed, match="signature"):
        check(f"{header}.{body}.")
