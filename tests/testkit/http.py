"""An in-process HTTP client on the test's database, with a bearer token for every person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from fastapi.testclient import TestClient

from api.app import create_app
from governance_engine.config import Settings
from governance_engine.config_access import AccessSettings
from governance_engine.persistence.models import Person
from governance_engine.services import identity
from testkit.isolation import ISOLATION
from testkit.world import World


@dataclass
class Api:
    client: TestClient
    world: World
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str | None, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return headers

    def get(self, path: str, who: str | None = "wendy", **kwargs: Any) -> httpx2.Response:
        return self.client.get(
            path, headers=self.headers(who, **kwargs.pop("headers", {})), **kwargs
        )

    def post(
        self, path: str, who: str | None = "wendy", json: Any = None, **kwargs: Any
    ) -> httpx2.Response:
        headers = self.headers(who, **kwargs.pop("headers", {}))
        return self.client.post(path, headers=headers, json=json, **kwargs)

    def patch(
        self, path: str, who: str | None = "wendy", json: Any = None, **kwargs: Any
    ) -> httpx2.Response:
        headers = self.headers(who, **kwargs.pop("headers", {}))
        return self.client.patch(path, headers=headers, json=json, **kwargs)


def issue_tokens(world: World) -> dict[str, str]:
    tokens = {}
    with world.database.transaction() as session:
        at = world.clock.now()
        for name, person_id in [("admin", world.admin.person_id), *world.person_ids.items()]:
            person = session.get(Person, person_id)
            assert person is not None
            issued = identity.issue_token(session, actor=world.admin, at=at, person=person)
            tokens[name] = issued.secret
    return tokens


# Tests that make many writes with one token run with the write limit far out of reach (the
# limiter still counts every write); tests/api/test_rate_limits.py tests the defaults.
UNTHROTTLED = AccessSettings(rate_limit_writes=1_000_000, rate_limit_burst=1_000_000)
UNTHROTTLED_ENV = {
    "GOVERNANCE_RATE_LIMIT_WRITES": "1000000",
    "GOVERNANCE_RATE_LIMIT_BURST": "1000000",
}


@contextmanager
def serve_in_process(
    world: World, database_url: str, key_path: Path, *, workflows_dir: Path | None = None
) -> Iterator[Api]:
    """The app on the world's catalog; with ``workflows_dir``, on the catalog the app builds
    from that setting, as ``serve`` runs it."""
    settings = Settings(
        database_url=database_url,
        isolation=ISOLATION,
        tick_interval=0,
        checkpoint_interval=0,
        delivery_interval=0,
        signing_key_path=key_path,
        workflows_dir=workflows_dir,
        access=UNTHROTTLED,
    )
    app = create_app(settings, clock=world.clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        if workflows_dir is None:
            app.state.catalog = world.catalog
        yield Api(client, world, issue_tokens(world))
