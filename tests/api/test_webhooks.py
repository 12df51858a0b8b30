"""``/api/v1/webhooks``: register, list, read, disable, deliveries and redelivery over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from testkit.http import UNTHROTTLED, Api, issue_tokens
from testkit.receiver import Receiver, dead_url, receiving
from testkit.world import World

from api.app import create_app
from governance_engine.config import Settings
from governance_engine.persistence.webhook_sender import HttpSender
from governance_engine.services.webhooks import DeliveryReport, RetryPolicy, deliver_due

POLICY = RetryPolicy(
    max_attempts=2, backoff_base=timedelta(seconds=1), backoff_cap=timedelta(seconds=2), timeout=2
)
PROBLEM = "application/problem+json"


@pytest.fixture
def api(world: World, database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The app with no background work: the tests run delivery passes themselves."""
    settings = Settings(
        database_url=database_url,
        tick_interval=0,
        checkpoint_interval=0,
        delivery_interval=0,
        signing_key_path=tmp_path / "keys" / "signing.pem",
        access=UNTHROTTLED,
    )
    app = create_app(settings, clock=world.clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.catalog = world.catalog
        yield Api(client, world, issue_tokens(world))


def deliver(api: Api) -> DeliveryReport:
    world = api.world
    return deliver_due(
        world.database,
        clock=world.clock,
        sender=HttpSender(timeout=2, allow_private=True),
        policy=POLICY,
    )


def register(api: Api, url: str, **fields: object) -> dict[str, object]:
    body = {"url": url, "event_types": ["proposal.*"], **fields}
    response = api.post("/api/v1/webhooks", who="admin", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def file_proposal(api: Api, title: str = "Model cards") -> int:
    response = api.post(
        "/api/v1/proposals",
        json={
            "kind": "standard",
            "title": title,
            "sponsor": "wg-trust-validation",
            "text": "# S\n",
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_the_secret_is_shown_once(api: Api) -> None:
    response = api.post(
        "/api/v1/webhooks",
        who="admin",
        json={
            "url": "https://hooks.example.org/g",
            "event_types": ["ballot.*"],
            "description": "chat",
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert response.headers["location"] == f"/api/v1/webhooks/{created['id']}"
    assert created["links"]["deliveries"] == f"/api/v1/webhooks/{created['id']}/deliveries"
    assert (created["active"], created["event_types"]) == (True, ["ballot.*"])

    read = api.get(f"/api/v1/webhooks/{created['id']}", who="admin").json()
    listed = api.get("/api/v1/webhooks", who="auditor").json()
    assert "secret" not in read
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert created["secret"] not in str(listed)
    assert created["secret"] not in api.get("/api/v1/log", who="auditor").text

    chosen = register(api, "https://hooks.example.org/h", secret="my-own-secret-0123456789")
    assert chosen["secret"] == "my-own-secret-0123456789"


def test_who_may_do_what(api: Api) -> None:
    body = {"url": "https://hooks.example.org/", "event_types": ["*"]}
    assert api.post("/api/v1/webhooks", who=None, json=body).status_code == 401
    assert api.post("/api/v1/webhooks", who="wendy", json=body).status_code == 403
    assert api.post("/api/v1/webhooks", who="auditor", json=body).status_code == 403
    assert api.get("/api/v1/webhooks", who="wendy").status_code == 403
    created = register(api, "https://hooks.example.org/")
    assert api.get(f"/api/v1/webhooks/{created['id']}", who="auditor").status_code == 200
    assert api.post(f"/api/v1/webhooks/{created['id']}/disable", who="auditor").status_code == 403
    assert api.post(f"/api/v1/webhooks/{created['id']}/enable", who="auditor").status_code == 403
    disabled = api.post(f"/api/v1/webhooks/{created['id']}/disable", who="admin").json()
    assert disabled["active"] is False
    enabled = api.post(disabled["links"]["enable"], who="admin")
    assert (enabled.status_code, enabled.json()["active"]) == (200, True)
    assert api.get("/api/v1/webhooks/999", who="admin").status_code == 404
    assert api.post("/api/v1/webhooks/999/disable", who="admin").status_code == 404
    assert api.post("/api/v1/webhooks/999/enable", who="admin").status_code == 404
    assert api.get("/api/v1/webhooks/999/deliveries", who="admin").status_code == 404
    assert api.post("/api/v1/webhooks/deliveries/999/redeliver", who="admin").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.org/", "event_types": ["*"]}, "url"),
        ({"url": "https://user:pw@example.org/", "event_types": ["*"]}, "url"),
        ({"url": "https://example.org/", "event_types": ["proposal.nope"]}, "event_types"),
        ({"url": "https://example.org/", "event_types": []}, "event_types"),
        ({"url": "https://example.org/", "event_types": ["*"], "secret": "short"}, "secret"),
        ({"url": "https://example.org/", "event_types": ["*"], "extra": 1}, "extra"),
    ],
)
def test_bad_registrations_are_422(api: Api, body: dict[str, object], field: str) -> None:
    response = api.post("/api/v1/webhooks", who="admin", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in str(response.json()["errors"])


def test_an_idempotency_key_is_refused(api: Api) -> None:
    response = api.post(
        "/api/v1/webhooks",
        who="admin",
        json={"url": "https://example.org/", "event_types": ["*"]},
        headers={"Idempotency-Key": "k1"},
    )
    assert response.status_code == 422
    assert "secret" in response.json()["detail"]


def test_deliveries_are_listed_and_redelivered(api: Api) -> None:
    with receiving() as receiver:
        created = register(api, receiver.url)
        hook = created["id"]
        file_proposal(api)
        assert len(deliver(api).delivered) == 1
        page = api.get(f"/api/v1/webhooks/{hook}/deliveries", who="auditor").json()
        [delivery] = page["items"]
        assert delivery["status"] == "delivered"
        assert delivery["event_type"] == "proposal.filed"
        assert (delivery["attempts"], delivery["last_status_code"]) == (1, 204)
        assert delivery["next_attempt_at"] is None
        assert delivery["delivered_at"] is not None
        assert delivery["log_seq"] >= 1
        failed = api.get(f"/api/v1/webhooks/{hook}/deliveries?status=failed", who="admin")
        assert failed.json()["items"] == []

        redeliver = delivery["redeliver"]
        assert api.post(redeliver, who="wendy").status_code == 403
        again = api.post(redeliver, who="admin")
        assert again.status_code == 200, again.text
        assert (again.json()["status"], again.json()["attempts"]) == ("pending", 0)
        assert again.json()["next_attempt_at"] is not None
        conflict = api.post(redeliver, who="admin")
        assert conflict.status_code == 409
        assert conflict.headers["content-type"].startswith(PROBLEM)
        assert len(deliver(api).delivered) == 1
        received = receiver.received
    assert [request.event_id for request in received] == [received[0].event_id] * 2
    assert all(request.signature_valid(str(created["secret"])) for request in received)


def test_deliveries_page_newest_first(api: Api) -> None:
    hook = register(api, dead_url())["id"]
    for n in range(3):
        file_proposal(api, title=f"Spec {n}")
    first = api.get(f"/api/v1/webhooks/{hook}/deliveries?limit=2", who="admin").json()
    assert len(first["items"]) == 2
    second = api.get(
        f"/api/v1/webhooks/{hook}/deliveries?limit=2&cursor={first['next_cursor']}", who="admin"
    ).json()
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 3
    assert second["next_cursor"] is None
    bad = api.get(f"/api/v1/webhooks/{hook}/deliveries?status=lost", who="admin")
    assert bad.status_code == 422


def test_a_dead_endpoint_never_holds_up_an_action_and_fails_in_the_end(api: Api) -> None:
    hook = register(api, dead_url())["id"]
    proposal_id = file_proposal(api)
    assert api.get(f"/api/v1/proposals/{proposal_id}").status_code == 200
    deliver(api)
    api.world.clock.advance(timedelta(seconds=3))
    deliver(api)
    [delivery] = api.get(f"/api/v1/webhooks/{hook}/deliveries", who="admin").json()["items"]
    assert (delivery["status"], delivery["attempts"]) == ("failed", 2)
    assert delivery["last_status_code"] is None
    assert "ConnectError" in delivery["last_error"]


def test_disabling_stops_deliveries(api: Api) -> None:
    with receiving(Receiver()) as receiver:
        hook = register(api, receiver.url)["id"]
        response = api.post(f"/api/v1/webhooks/{hook}/disable", who="admin")
        assert response.status_code == 200
        assert response.json()["active"] is False
        file_proposal(api)
        assert deliver(api).attempted == 0
        assert receiver.received == []
    assert api.get(f"/api/v1/webhooks/{hook}", who="admin").json()["active"] is False
    assert api.get(f"/api/v1/webhooks/{hook}/deliveries", who="admin").json()["items"] == []


def test_the_api_is_documented(api: Api) -> None:
    paths = api.get("/openapi.json", who=None).json()["paths"]
    assert set(paths["/api/v1/webhooks"]) == {"get", "post"}
    assert "/api/v1/webhooks/{webhook_id}/deliveries" in paths
    assert "/api/v1/webhooks/deliveries/{delivery_id}/redeliver" in paths
