"""``serve --workers 2`` on PostgreSQL: one token's write limit holds across both workers;
and X-Forwarded-For is believed only from the proxies the settings name."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from testkit.http import issue_tokens
from testkit.server import running_server, serve_env
from testkit.world import build_world

from governance_engine.persistence.database import Database

pytestmark = pytest.mark.slow


def _tokens(database_url: str) -> dict[str, str]:
    database = Database(database_url)
    try:
        return issue_tokens(build_world(database))
    finally:
        database.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_write_limit_holds_across_two_workers(database_url: str, tmp_path: Path) -> None:
    token = _tokens(database_url)["admin"]
    env = serve_env(
        database_url,
        tmp_path / "signing.pem",
        tick_interval=0,
        extra={"GOVERNANCE_RATE_LIMIT_WRITES": "10", "GOVERNANCE_RATE_LIMIT_BURST": "10"},
    )
    with running_server(env, tmp_path, workers=2) as server:
        statuses = []
        for _ in range(30):
            # A new connection each time, so both workers take their share of the requests.
            response = httpx.post(
                f"{server.url}/api/v1/organizations",
                json={"name": "", "kind": "company"},
                headers={"Authorization": f"Bearer {token}", "Connection": "close"},
                timeout=10,
            )
            statuses.append(response.status_code)
        assert statuses.count(422) == 10, statuses  # each worker alone would let 10 through
        assert statuses.count(429) == 20, statuses
        assert statuses[10:] == [429] * 20


def _failed_sign_ins(server_url: str, forwarded_for: str, count: int) -> list[int]:
    statuses = []
    with httpx.Client(base_url=server_url, timeout=10) as browser:
        for _ in range(count):
            form = browser.get("/sign-in")
            csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
            answer = browser.post(
                "/sign-in",
                data={"csrf_token": csrf, "token": "ge_wrong", "next": "/"},
                headers={"X-Forwarded-For": forwarded_for},
            )
            statuses.append(answer.status_code)
    return statuses


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("trusted", [False, True])
def test_x_forwarded_for_counts_only_from_trusted_proxies(
    database_url: str, tmp_path: Path, trusted: bool
) -> None:
    _tokens(database_url)
    extra = {"GOVERNANCE_TRUSTED_PROXIES": "127.0.0.1/32"} if trusted else {}
    env = serve_env(database_url, tmp_path / "signing.pem", tick_interval=0, extra=extra)
    with running_server(env, tmp_path) as server:
        assert _failed_sign_ins(server.url, "203.0.113.7", 5) == [401] * 5
        # A sixth failure "from" another address: a trusted proxy's word is believed, so
        # that address has failed nothing yet; anyone else's is ignored (still 127.0.0.1).
        expected = 401 if trusted else 429
        assert _failed_sign_ins(server.url, "198.51.100.9", 1) == [expected]
