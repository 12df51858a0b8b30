from __future__ import annotations

from typing import Any

import pytest
from testkit.http import Api

PROBLEM = "application/problem+json"


def filing(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "standard",
        "title": "Model cards",
        "sponsor": "wg-trust-validation",
        "text": "# Model cards\n",
    }
    body.update(extra)
    return body


def file(api: Api, who: str = "wendy", **extra: Any) -> dict[str, Any]:
    response = api.post("/api/v1/proposals", who, json=filing(**extra))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_file_read_and_list(api: Api) -> None:
    response = api.post("/api/v1/proposals", json=filing())
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"/api/v1/proposals/{created['id']}"
    assert response.headers["ETag"] == '"2"'
    assert created["state"] == "draft"
    assert created["workflow"] == {"name": "standard", "version": 2}
    assert created["current_revision"]["number"] == 1
    assert created["links"]["actions"].endswith("/actions")
    read = api.get(created["links"]["self"], "will")
    assert read.status_code == 200
    assert read.json() == created
    listed = api.get("/api/v1/proposals?state=draft", "tara").json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]


def test_cursor_pagination_walks_every_proposal_once(api: Api) -> None:
    ids = [file(api, title=f"Proposal {n}")["id"] for n in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/proposals", params=params).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids


def test_errors_are_problem_documents(api: Api) -> None:
    unauthenticated = api.get("/api/v1/proposals", who=None)
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == PROBLEM
    assert unauthenticated.json()["type"] == "urn:governance-engine:problem:not-authenticated"
    missing = api.get("/api/v1/proposals/999")
    assert (missing.status_code, missing.json()["type"]) == (
        404,
        "urn:governance-engine:problem:not-found",
    )
    invalid = api.post("/api/v1/proposals", json=filing(kind="Manifesto!", surprise=1))
    assert invalid.status_code == 422
    assert invalid.headers["content-type"] == PROBLEM
    locations = {tuple(error["loc"]) for error in invalid.json()["errors"]}
    assert ("body", "kind") in locations
    assert ("body", "surprise") in locations
    bad_cursor = api.get("/api/v1/proposals", params={"cursor": "!!!"})
    assert bad_cursor.status_code == 422


def test_forbidden_and_conflicting_actions(api: Api) -> None:
    proposal = file(api)
    denied = api.post(f"/api/v1/proposals/{proposal['id']}/actions/submit", "will")
    assert denied.status_code == 403
    assert "only the chair of wg-trust-validation" in denied.json()["detail"]
    conflict = api.post(f"/api/v1/proposals/{proposal['id']}/actions/ratify")
    assert conflict.status_code == 409
    assert conflict.json()["type"].endswith(":action-not-available")


def test_if_match_prevents_lost_updates(api: Api) -> None:
    proposal = file(api)
    path = f"/api/v1/proposals/{proposal['id']}/actions/submit"
    stale = api.post(path, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    fresh = api.post(path, headers={"If-Match": '"2"'}, json={"reason": "ready for review"})
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["state"] == "wg_review"
    assert fresh.headers["ETag"] == '"3"'


def test_idempotency_key_replays_the_first_response(api: Api) -> None:
    headers = {"Idempotency-Key": "file-model-cards-1"}
    first = api.post("/api/v1/proposals", json=filing(), headers=headers)
    again = api.post("/api/v1/proposals", json=filing(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.get("/api/v1/proposals").json()["items"]) == 1
    different = api.post("/api/v1/proposals", json=filing(title="Other"), headers=headers)
    assert different.status_code == 422
    # keys are scoped per person: the same key from someone else is a new request
    other = api.post("/api/v1/proposals", "will", json=filing(), headers=headers)
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


def test_revisions_actions_and_history(api: Api) -> None:
    proposal = file(api, text=None)
    base = f"/api/v1/proposals/{proposal['id']}"
    actions = {a["name"]: a for a in api.get(f"{base}/actions").json()}
    assert actions["submit"]["ready"] is False
    assert any("has_revision" in reason for reason in actions["submit"]["blocked_by"])
    added = api.post(f"{base}/revisions", json={"text": "# v1\n", "note": "first draft"})
    assert added.status_code == 201
    assert added.json()["number"] == 1
    assert api.get(f"{base}/revisions/1").json()["text"] == "# v1\n"
    assert api.get(f"{base}/revisions/2").status_code == 404
    assert {a["name"]: a["ready"] for a in api.get(f"{base}/actions").json()}["submit"] is True
    api.post(f"{base}/actions/submit")
    history = api.get(f"{base}/history", "tara").json()["items"]
    assert [entry["action"] for entry in history] == [
        "proposal.filed",
        "revision.added",
        "proposal.transitioned",
    ]
    assert history[-1]["payload"]["to"] == "wg_review"


@pytest.mark.parametrize("who", ["auditor", "nobody"])
def test_people_without_rights_cannot_file(api: Api, who: str) -> None:
    response = api.post("/api/v1/proposals", who, json=filing())
    assert response.status_code == 403
