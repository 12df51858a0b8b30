"""Write limits per token: the defaults (a burst of 120, then 429 with Retry-After), what
counts, and the settings; Redis as the store when configured."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from testkit.http import Api, issue_tokens
from testkit.signing_in import unavailable
from testkit.world import World

from api.app import create_app
from governance_engine.config import Settings
from governance_engine.config_access import AccessSettings, access_from_env
from governance_engine.errors import ConfigurationError
from governance_engine.services.access import RateLimits


@pytest.fixture
def default_api(world: World, database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The app with the default limits (the shared ``api`` fixture lifts them)."""
    settings = Settings(
        database_url=database_url,
        tick_interval=0,
        checkpoint_interval=0,
        delivery_interval=0,
        signing_key_path=tmp_path / "keys" / "signing.pem",
    )
    assert settings.access == AccessSettings()
    app = create_app(settings, clock=world.clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.catalog = world.catalog
        yield Api(client, world, issue_tokens(world))


def test_the_defaults_allow_a_burst_of_120_writes_then_429(default_api: Api) -> None:
    bad = {"name": "", "kind": "company"}  # refused, but an attempt to write all the same
    for _ in range(120):
        assert default_api.post("/api/v1/organizations", "admin", bad).status_code == 422
    refused = default_api.post("/api/v1/organizations", "admin", {"name": "X", "kind": "company"})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:governance-engine:problem:rate-limited"
    assert 60 <= int(refused.headers["Retry-After"]) <= 120  # the window is 2 minutes
    # Reads are not counted, and another token has its own budget.
    assert default_api.get("/api/v1/organizations", "admin").status_code == 200
    created = default_api.post("/api/v1/organizations", "wendy", bad)
    assert created.status_code == 422


def test_the_limit_is_settable_and_off_at_zero() -> None:
    assert access_from_env({}).rate_limit_writes == 60
    assert access_from_env({}).rate_limit_burst == 120
    tight = access_from_env({"GOVERNANCE_RATE_LIMIT_WRITES": "10"})
    assert (tight.rate_limit_writes, tight.rate_limit_burst) == (10, 20)
    assert access_from_env({"GOVERNANCE_RATE_LIMIT_WRITES": "0"}).rate_limit_writes == 0
    with pytest.raises(ConfigurationError, match="BURST"):
        access_from_env({"GOVERNANCE_RATE_LIMIT_WRITES": "10", "GOVERNANCE_RATE_LIMIT_BURST": "5"})
    with pytest.raises(ConfigurationError, match="whole number"):
        access_from_env({"GOVERNANCE_RATE_LIMIT_WRITES": "lots"})
    with pytest.raises(ConfigurationError, match="not an IP address"):
        access_from_env({"GOVERNANCE_TRUSTED_PROXIES": "proxy.example"})


def test_several_providers_are_read_from_the_environment() -> None:
    env = {
        "GOVERNANCE_OIDC_ISSUER": "https://sso.example.org/",
        "GOVERNANCE_OIDC_CLIENT_ID": "ge",
        "GOVERNANCE_OIDC_CLIENT_SECRET": "s",
        "GOVERNANCE_OIDC_PROVIDERS": "google, entra-cern",
        "GOVERNANCE_OIDC_GOOGLE_ISSUER": "https://accounts.google.com",
        "GOVERNANCE_OIDC_GOOGLE_CLIENT_ID": "g",
        "GOVERNANCE_OIDC_GOOGLE_CLIENT_SECRET": "gs",
        "GOVERNANCE_OIDC_ENTRA_CERN_ISSUER": "https://login.microsoftonline.com/t/v2.0",
        "GOVERNANCE_OIDC_ENTRA_CERN_CLIENT_ID": "e",
        "GOVERNANCE_OIDC_ENTRA_CERN_CLIENT_SECRET": "es",
        "GOVERNANCE_OIDC_ENTRA_CERN_LABEL": "CERN",
    }
    providers = access_from_env(env).oidc_providers
    assert [(p.name, p.label, p.issuer) for p in providers] == [
        ("oidc", "Oidc", "https://sso.example.org"),
        ("google", "Google", "https://accounts.google.com"),
        ("entra-cern", "CERN", "https://login.microsoftonline.com/t/v2.0"),
    ]
    with pytest.raises(ConfigurationError, match="GOVERNANCE_OIDC_GOOGLE_CLIENT_SECRET"):
        access_from_env({k: v for k, v in env.items() if "GOOGLE_CLIENT_SECRET" not in k})
    with pytest.raises(ConfigurationError, match="https"):
        access_from_env({**env, "GOVERNANCE_OIDC_ISSUER": "http://sso.example.org"})


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_redis_holds_the_counters_when_configured(database_url: str) -> None:
    if not _redis_answers():
        unavailable("no Redis at 127.0.0.1:6379")
    from sqlalchemy import create_engine

    settings = AccessSettings(
        rate_limit_writes=3, rate_limit_burst=3, redis_url="redis://127.0.0.1:6379/0"
    )
    engine = create_engine("sqlite://")  # never used: Redis holds the counters
    first, second = (RateLimits.from_settings(settings, engine) for _ in range(2))
    key = f"token:redis-test-{uuid.uuid4()}"  # its own counter: nothing else is touched
    results = [limits.hit_write(key) for limits in (first, second, first, second)]
    assert results[:3] == [None, None, None]
    assert results[3] is not None
    assert 1 <= results[3].retry_after <= 60


def test_a_browser_session_has_a_write_budget_too(
    world: World, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url,
        tick_interval=0,
        checkpoint_interval=0,
        delivery_interval=0,
        signing_key_path=tmp_path / "keys" / "signing.pem",
        access=AccessSettings(rate_limit_writes=2, rate_limit_burst=2),
    )
    app = create_app(settings, clock=world.clock)
    tokens = issue_tokens(world)
    with TestClient(app, raise_server_exceptions=False) as browser:
        form = browser.get("/sign-in").text
        csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
        signed = browser.post("/sign-in", data={"csrf_token": csrf, "token": tokens["will"]})
        assert "Signed in as <strong>Will</strong>" in signed.text
        answers = [
            browser.post("/proposals", data={"csrf_token": "wrong"}) for _ in range(3)
        ]  # refused for their CSRF token, but attempts all the same
        assert [a.status_code for a in answers] == [403, 403, 429]
        assert answers[2].headers["content-type"].startswith("text/html")
        assert "Too many writes" in answers[2].text
        assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
