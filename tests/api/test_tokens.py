from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from testkit.http import Api

from governance_engine.persistence.models import ApiToken, IdempotencyRecord, LogEntry

TOKENS = "/api/v1/tokens"
FIELDS = {"id", "person_id", "prefix", "label", "created_at", "expires_at", "revoked_at"}


def issue(api: Api, who: str = "admin", **body: Any) -> Any:
    body.setdefault("person_id", api.world.person_ids["nobody"])
    response = api.post(TOKENS, who, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def me(api: Api, secret: str | None) -> Any:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return api.client.get("/api/v1/people/me", headers=headers)


def test_issue_returns_the_secret_once_and_it_works(api: Api) -> None:
    response = api.post(TOKENS, "admin", json={"person_id": api.world.person_ids["nobody"]})
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    issued = response.json()
    assert set(issued) == {*FIELDS, "secret"}
    assert issued["secret"].startswith("ge_")
    assert issued["secret"].startswith(issued["prefix"])
    assert issued["revoked_at"] is None
    caller = me(api, issued["secret"])
    assert caller.status_code == 200
    assert caller.json()["name"] == "Nobody"


def test_tokens_at_rest_and_in_the_log_are_not_the_secret(api: Api) -> None:
    issued = issue(api, label="ci bot", expires_at="2027-01-01T00:00:00Z")
    secret = issued["secret"]
    with api.world.database.reader() as session:
        stored = session.get(ApiToken, issued["id"])
        assert stored is not None
        assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        columns = [str(getattr(stored, c.key)) for c in ApiToken.__table__.columns]
        assert not any(secret in value for value in columns)
        payloads = [json.dumps(entry.payload) for entry in session.scalars(select(LogEntry))]
        records = [json.dumps(r.body) for r in session.scalars(select(IdempotencyRecord))]
    assert any('"ci bot"' in payload for payload in payloads)  # token.issued is logged
    assert not any(secret in text or stored.token_hash in text for text in payloads + records)
    listed = api.get(TOKENS, "admin", params={"person_id": issued["person_id"], "limit": 200})
    assert secret not in listed.text
    assert stored.token_hash not in listed.text


def test_admins_list_every_token_others_their_own(api: Api) -> None:
    issue(api, label="second")
    everything = api.get(TOKENS, "admin", params={"limit": 200}).json()
    assert len(everything["items"]) == len(api.tokens) + 1
    assert all(set(item) == FIELDS for item in everything["items"])
    nobody = api.world.person_ids["nobody"]
    own = api.get(TOKENS, "nobody").json()["items"]
    assert [(t["person_id"], t["label"]) for t in own] == [(nobody, ""), (nobody, "second")]
    assert api.get(TOKENS, "nobody", params={"person_id": nobody}).status_code == 200
    assert api.get(TOKENS, "wendy", params={"person_id": nobody}).status_code == 403
    auditor = api.get(TOKENS, "auditor").json()["items"]
    assert {t["person_id"] for t in auditor} == {api.world.person_ids["auditor"]}
    by_admin = api.get(TOKENS, "admin", params={"person_id": nobody}).json()["items"]
    assert by_admin == own


def test_token_list_pagination(api: Api) -> None:
    everything = [t["id"] for t in api.get(TOKENS, "admin", params={"limit": 200}).json()["items"]]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = api.get(TOKENS, "admin", params=params).json()
        seen.extend(t["id"] for t in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


def test_revoking_your_own_token(api: Api) -> None:
    own = api.get(TOKENS, "wendy").json()["items"][0]
    response = api.post(f"{TOKENS}/{own['id']}/revoke", "wendy", json={"reason": "rotating"})
    assert response.status_code == 200, response.text
    assert response.json()["revoked_at"] is not None
    assert api.get("/api/v1/people/me", "wendy").status_code == 401
    with api.world.database.reader() as session:
        entry = session.scalars(select(LogEntry).order_by(LogEntry.seq.desc())).first()
    assert entry is not None
    assert (entry.action, entry.actor_id, entry.subject_id) == (
        "token.revoked",
        api.world.person_ids["wendy"],
        str(own["id"]),
    )
    assert entry.payload["reason"] == "rotating"
    again = api.post(f"{TOKENS}/{own['id']}/revoke", "admin")
    assert again.status_code == 409


def test_auditors_may_revoke_their_own_token_only(api: Api) -> None:
    own = api.get(TOKENS, "auditor").json()["items"][0]
    wendys = api.get(TOKENS, "admin", params={"person_id": api.world.person_ids["wendy"]})
    other = wendys.json()["items"][0]
    assert api.post(f"{TOKENS}/{other['id']}/revoke", "auditor").status_code == 403
    assert api.post(f"{TOKENS}/{own['id']}/revoke", "auditor").status_code == 200


def test_only_admins_revoke_other_peoples_tokens(api: Api) -> None:
    issued = issue(api)
    path = f"{TOKENS}/{issued['id']}/revoke"
    assert api.post(path, "wendy").status_code == 403
    assert me(api, issued["secret"]).status_code == 200
    assert api.post(path, "admin").status_code == 200
    revoked = me(api, issued["secret"])
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "the bearer token has been revoked"
    assert api.post(f"{TOKENS}/9999/revoke", "admin").status_code == 404


def test_expired_tokens_are_refused(api: Api) -> None:
    expires = api.world.clock.now() + timedelta(hours=1)
    issued = issue(api, expires_at=expires.isoformat())
    assert me(api, issued["secret"]).status_code == 200
    api.world.tick(timedelta(hours=2))
    expired = me(api, issued["secret"])
    assert expired.status_code == 401
    assert expired.json()["detail"] == "the bearer token has expired"
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer ge_not-a-real-token", "Bearer nonsense", "Basic d2VuZHk6cHc="],
)
def test_missing_or_bad_tokens_are_401(api: Api, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.client.get(TOKENS, headers=headers)
    assert response.status_code == 401
    assert response.json()["type"] == "urn:governance-engine:problem:not-authenticated"


@pytest.mark.parametrize("who", ["wendy", "nobody", "auditor"])
def test_only_admins_issue_tokens(api: Api, who: str) -> None:
    body = {"person_id": api.world.person_ids[who]}
    assert api.post(TOKENS, who, json=body).status_code == 403


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ({"person_id": 9999}, {}, 404),
        ({"person_id": 3, "expires_at": "2020-01-01T00:00:00Z"}, {}, 422),
        ({"person_id": 3, "expires_at": "2030-01-01T00:00:00"}, {}, 422),
        ({"person_id": 3, "label": "x" * 201}, {}, 422),
        ({"person_id": 3, "secret": "ge_chosen"}, {}, 422),
        ({"person_id": 3}, {"Idempotency-Key": "token-1"}, 422),
    ],
)
def test_issue_refusals(api: Api, body: Any, headers: dict[str, str], status: int) -> None:
    before = len(api.get(TOKENS, "admin", params={"limit": 200}).json()["items"])
    response = api.post(TOKENS, "admin", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert len(api.get(TOKENS, "admin", params={"limit": 200}).json()["items"]) == before
