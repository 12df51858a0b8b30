"""Settings for signing in and for bounding abuse: OpenID providers, links, rate limits.

OpenID Connect providers, in one of two forms:

    GOVERNANCE_OIDC_ISSUER, GOVERNANCE_OIDC_CLIENT_ID, GOVERNANCE_OIDC_CLIENT_SECRET
        one provider, named ``oidc`` (label: GOVERNANCE_OIDC_LABEL);
    GOVERNANCE_OIDC_PROVIDERS=google,keycloak
        several; each NAME reads GOVERNANCE_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET
        and optional _LABEL and _SCOPES (NAME upper-cased, ``-`` as ``_``).

Rate limits: GOVERNANCE_RATE_LIMIT_WRITES (per minute, per token or session; 0 turns the
limit off) and GOVERNANCE_RATE_LIMIT_BURST; GOVERNANCE_SIGN_IN_EMAIL_LIMIT (links per address
per hour); counters in the database, or in Redis with GOVERNANCE_REDIS_URL.
GOVERNANCE_TRUSTED_PROXIES lists the addresses (or networks) whose X-Forwarded-For and
X-Forwarded-Proto are believed; empty (the default) believes none.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from governance_engine.errors import ConfigurationError

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
DEFAULT_SCOPES = "openid email"


@dataclass(frozen=True)
class OidcProvider:
    """One OpenID Connect provider people may sign in with."""

    name: str  # in URLs: /sign-in/oidc/{name}
    label: str  # on the sign-in page's button
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = DEFAULT_SCOPES


@dataclass(frozen=True)
class AccessSettings:
    public_url: str = ""
    oidc_providers: tuple[OidcProvider, ...] = ()
    rate_limit_writes: int = 60
    rate_limit_burst: int = 120
    sign_in_email_limit: int = 5
    redis_url: str = ""
    trusted_proxies: tuple[str, ...] = ()


def access_from_env(env: Mapping[str, str]) -> AccessSettings:
    writes = _count(env, "GOVERNANCE_RATE_LIMIT_WRITES", 60)
    burst = _count(env, "GOVERNANCE_RATE_LIMIT_BURST", max(writes * 2, 1))
    if writes and burst < writes:
        raise ConfigurationError(
            f"GOVERNANCE_RATE_LIMIT_BURST ({burst}) must be at least "
            f"GOVERNANCE_RATE_LIMIT_WRITES ({writes})"
        )
    return AccessSettings(
        public_url=_public_url(env.get("GOVERNANCE_PUBLIC_URL", "")),
        oidc_providers=oidc_providers(env),
        rate_limit_writes=writes,
        rate_limit_burst=burst,
        sign_in_email_limit=_count(env, "GOVERNANCE_SIGN_IN_EMAIL_LIMIT", 5),
        redis_url=env.get("GOVERNANCE_REDIS_URL", "").strip(),
        trusted_proxies=trusted_proxies(env.get("GOVERNANCE_TRUSTED_PROXIES", "")),
    )


def oidc_providers(env: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    names = [name.strip().lower() for name in env.get("GOVERNANCE_OIDC_PROVIDERS", "").split(",")]
    names = [name for name in names if name]
    providers = []
    if env.get("GOVERNANCE_OIDC_ISSUER", "").strip():
        providers.append(_provider(env, "oidc", "GOVERNANCE_OIDC_"))
    for name in names:
        if not _NAME.match(name):
            raise ConfigurationError(
                f"GOVERNANCE_OIDC_PROVIDERS: {name!r} is not a provider name (lower-case "
                "letters, digits and -, at most 32)"
            )
        prefix = f"GOVERNANCE_OIDC_{name.upper().replace('-', '_')}_"
        providers.append(_provider(env, name, prefix))
    seen = [provider.name for provider in providers]
    if len(set(seen)) != len(seen):
        raise ConfigurationError(f"GOVERNANCE_OIDC_PROVIDERS names a provider twice: {seen}")
    return tuple(providers)


def _provider(env: Mapping[str, str], name: str, prefix: str) -> OidcProvider:
    def required(key: str) -> str:
        value = env.get(prefix + key, "").strip()
        if not value:
            raise ConfigurationError(f"{prefix}{key} is required for the OIDC provider {name!r}")
        return value

    issuer = required("ISSUER").rstrip("/")
    parts = urlsplit(issuer)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ConfigurationError(
            f"{prefix}ISSUER must be an https:// URL (http only on loopback), not {issuer!r}"
        )
    scopes = env.get(prefix + "SCOPES", "").strip() or DEFAULT_SCOPES
    if "openid" not in scopes.split():
        raise ConfigurationError(f"{prefix}SCOPES must include openid, not {scopes!r}")
    return OidcProvider(
        name=name,
        label=env.get(prefix + "LABEL", "").strip() or name.replace("-", " ").title(),
        issuer=issuer,
        client_id=required("CLIENT_ID"),
        client_secret=required("CLIENT_SECRET"),
        scopes=scopes,
    )


def trusted_proxies(raw: str) -> tuple[str, ...]:
    found = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigurationError(
                f"GOVERNANCE_TRUSTED_PROXIES: {item!r} is not an IP address or network"
            ) from None
        found.append(item)
    return tuple(found)


def _public_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise ConfigurationError(f"GOVERNANCE_PUBLIC_URL must be an http(s) URL, not {raw!r}")
    return url


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) > 1_000_000:
        raise ConfigurationError(f"{name} must be a whole number from 0 to 1000000, not {raw!r}")
    return int(raw)
