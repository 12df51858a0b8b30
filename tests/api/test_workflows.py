from __future__ import annotations

from typing import Any

import pytest
from testkit.http import Api

from governance_engine.lifecycle import load_bundled


def get(api: Api, path: str, **params: Any) -> Any:
    response = api.get(path, "nobody", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_list_names_every_loaded_version(api: Api) -> None:
    listed = get(api, "/api/v1/workflows")
    expected = sorted((d.name, d.version, d.kind, d.title, len(d.states)) for d in load_bundled())
    assert [
        (w["name"], w["version"], w["kind"], w["title"], w["states"]) for w in listed
    ] == expected
    assert listed[0]["link"] == f"/api/v1/workflows/{listed[0]['name']}?version=2"


def test_a_workflow_in_full(api: Api) -> None:
    workflow = get(api, "/api/v1/workflows/standard")
    assert (workflow["name"], workflow["version"], workflow["kind"]) == ("standard", 2, "standard")
    assert workflow["approval_requires"] == ["sponsor", "toc", "board"]
    states = {state["name"]: state for state in workflow["states"]}
    assert states["draft"]["initial"] is True
    assert states["draft"]["timer"] == {"after": "180 days", "action": "defer"}
    toc = states["toc_review"]["ballot"]
    assert toc["body"] == "toc"
    assert toc["rule"]["name"] == "two-thirds-of-body"
    assert "Two thirds of the whole body" in toc["rule"]["description"]
    assert toc["outcomes"]["passed"] == "toc_sign_off"
    assert any(state["terminal"] for state in states.values())
    assert any(state["approved"] for state in states.values())

    actions = {action["name"]: action for action in workflow["actions"]}
    submit = actions["submit"]
    assert (submit["sources"], submit["dest"]) == (["draft"], "wg_review")
    assert "sponsor.chair" in submit["roles"]
    assert "has_revision" in submit["guards"]
    approving = [a for a in actions.values() if states[a["dest"]]["approved"]]
    assert approving
    assert all("approval_ballots_passed" in action["guards"] for action in approving)

    mermaid = workflow["mermaid"]
    assert "stateDiagram-v2" in mermaid
    assert "[*] --> draft" in mermaid


def test_a_version_by_number(api: Api) -> None:
    latest = get(api, "/api/v1/workflows/project")
    assert get(api, "/api/v1/workflows/project", version=2) == latest


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/workflows/manifesto", {}, 404),
        ("/api/v1/workflows/standard", {"version": 9}, 404),
        ("/api/v1/workflows/standard", {"version": 0}, 422),
    ],
)
def test_unknown_workflows(api: Api, path: str, params: dict[str, Any], status: int) -> None:
    response = api.get(path, "wendy", params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_workflows_need_a_token(api: Api) -> None:
    assert api.get("/api/v1/workflows", who=None).status_code == 401
    assert api.get("/api/v1/workflows/standard", who=None).status_code == 401
