"""Comments, concerns and formal objections over HTTP, and search on the proposal list."""

from __future__ import annotations

from typing import Any

import httpx2
from testkit.drive import TOC, WG, file, open_ballot, pass_ballot, take
from testkit.http import Api

PROBLEM = "application/problem+json"
TEXT = "# Model cards\n\nEvery model ships a signed card.\nCards list the training data.\n"


def created(response: httpx2.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def problem(response: httpx2.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:governance-engine:problem:{code}"
    detail: str = body["detail"]
    return detail


def test_comment_edit_and_retract(api: Api) -> None:
    proposal_id = file(api.world, text=TEXT)
    base = f"/api/v1/proposals/{proposal_id}/comments"
    made = api.post(base, "will", json={"body": "Who signs?", "line_start": 3, "line_end": 4})
    comment = created(made)
    assert made.headers["Location"] == comment["self"] == f"{base}/{comment['id']}"
    assert made.headers["ETag"] == '"1"'
    assert (comment["revision"], comment["line_start"], comment["line_end"]) == (1, 3, 4)
    reply = created(
        api.post(base, "wendy", json={"body": "The publisher.", "parent_id": comment["id"]})
    )
    nested = api.post(base, "will", json={"body": "Which one?", "parent_id": reply["id"]})
    assert "replies are one level deep" in problem(nested, 422, "invalid-input")
    out_of_range = api.post(base, "will", json={"body": "x", "line_start": 5})
    assert "revision 1 has 4 lines" in problem(out_of_range, 422, "invalid-input")
    problem(api.post(base, "nobody", json={"body": "hi"}), 403, "permission-denied")

    path = comment["self"]
    stale = api.client.patch(
        path, json={"body": "Who signs it?"}, headers=api.headers("will", **{"If-Match": '"7"'})
    )
    assert problem(stale, 412, "stale-version")
    assert stale.json()["current_version"] == 1
    edited = api.client.patch(
        path, json={"body": "Who signs it?"}, headers=api.headers("will", **{"If-Match": '"1"'})
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["body"], edited.headers["ETag"]) == ("Who signs it?", '"2"')
    problem(
        api.client.patch(path, json={"body": "mine now"}, headers=api.headers("wendy")),
        403,
        "permission-denied",
    )
    retracted = api.post(f"{path}/retract", "will", json={"reason": "answered"})
    assert retracted.status_code == 200, retracted.text
    assert (retracted.json()["retracted"], retracted.json()["body"]) == (True, None)

    listed = api.get(base, "tara", params={"limit": 1}).json()
    assert [item["id"] for item in listed["items"]] == [comment["id"]]
    rest = api.get(base, "tara", params={"cursor": listed["next_cursor"]}).json()
    assert [item["id"] for item in rest["items"]] == [reply["id"]]
    assert rest["next_cursor"] is None
    history = api.get(f"/api/v1/proposals/{proposal_id}/history", "tara").json()["items"]
    actions = [entry["action"] for entry in history if entry["action"].startswith("comment.")]
    assert actions == ["comment.added", "comment.added", "comment.edited", "comment.retracted"]
    assert history[-1]["payload"]["body"] == "Who signs it?"  # the text stays in the log


def test_idempotent_comment(api: Api) -> None:
    proposal_id = file(api.world, text=TEXT)
    base = f"/api/v1/proposals/{proposal_id}/comments"
    headers = {"Idempotency-Key": "comment-1"}
    first = api.post(base, "will", json={"body": "Nice"}, headers=headers)
    again = api.post(base, "will", json={"body": "Nice"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.get(base).json()["items"]) == 1


def test_a_concern_blocks_until_its_raiser_resolves_it(api: Api) -> None:
    world = api.world
    proposal_id = file(world, text=TEXT)
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    base = f"/api/v1/proposals/{proposal_id}/concerns"
    concern = created(
        api.post(base, "will", json={"title": "Threat model missing", "text": "See section 3."})
    )
    assert (concern["state"], concern["blocking"], concern["body"]) == (
        "open",
        True,
        "wg-trust-validation",
    )
    problem(api.post(base, "olive", json={"title": "Observers watch"}), 403, "permission-denied")
    pass_ballot(world, proposal_id, "wendy", WG)  # last call passes; the concern holds it
    refused = api.post(f"/api/v1/proposals/{proposal_id}/actions/end_last_call", "wendy")
    assert problem(refused, 409, "guard-failed") == (
        f"guard no_open_concerns failed: concern {concern['id']} 'Threat model missing' "
        "raised by Will is open"
    )
    addressed = api.post(
        f"{base}/{concern['id']}/address", "wendy", json={"reason": "Section 4 covers it"}
    )
    assert addressed.status_code == 200, addressed.text
    assert (addressed.json()["state"], addressed.json()["awaiting_raiser"]) == ("addressed", True)
    assert addressed.json()["blocking"] is True
    still = api.post(f"/api/v1/proposals/{proposal_id}/actions/end_last_call", "wendy")
    assert "Will has yet to resolve it" in problem(still, 409, "guard-failed")
    problem(api.post(f"{base}/{concern['id']}/resolve", "wendy"), 403, "permission-denied")
    resolved = api.post(f"{base}/{concern['id']}/resolve", "will", json={"note": "thanks"})
    assert (resolved.status_code, resolved.json()["blocking"]) == (200, False)
    assert api.get(base, params={"state": "resolved"}).json()["items"][0]["id"] == concern["id"]
    assert api.get(base, params={"state": "open"}).json()["items"] == []
    moved = api.post(f"/api/v1/proposals/{proposal_id}/actions/end_last_call", "wendy")
    assert (moved.status_code, moved.json()["state"]) == (200, "toc_review")


def test_the_ballot_view_shows_standing_concerns(api: Api) -> None:
    world = api.world
    proposal_id = file(world, text=TEXT)
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    before = api.get(f"/api/v1/ballots/{ballot_id}", "will").json()
    assert before["standing_concerns"] == []
    concern = created(
        api.post(f"/api/v1/proposals/{proposal_id}/concerns", "will", json={"title": "Scope"})
    )
    after = api.get(f"/api/v1/ballots/{ballot_id}", "will").json()
    assert [c["id"] for c in after["standing_concerns"]] == [concern["id"]]
    assert after["version"] == before["version"]  # the ballot itself did not change


def test_an_objection_is_decided_by_the_body_above_with_a_recorded_decision(api: Api) -> None:
    world = api.world
    proposal_id = file(world, text=TEXT, kind="project")
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    pass_ballot(world, proposal_id, "tara", TOC)
    decisions = api.get("/api/v1/decisions", params={"proposal_id": proposal_id}).json()["items"]
    toc = next(d["number"] for d in decisions if d["number"].startswith("TOC-"))
    base = f"/api/v1/proposals/{proposal_id}/objections"
    objection = created(
        api.post(base, "wren", json={"decision": toc, "grounds": "No security audit was done."})
    )
    assert (objection["deciding_body"], objection["state"]) == ("board", "open")
    problem(
        api.post(base, "nobody", json={"decision": toc, "grounds": "x"}), 403, "permission-denied"
    )
    problem(
        api.post(base, "wren", json={"decision": "TOC-1999-001", "grounds": "x"}), 404, "not-found"
    )
    path = f"{base}/{objection['id']}"
    problem(
        api.post(f"{path}/resolve", "tara", json={"outcome": "upheld", "reasons": "x"}),
        403,
        "permission-denied",
    )
    resolved = api.post(
        f"{path}/resolve", "bob", json={"outcome": "dismissed", "reasons": "The audit is booked."}
    )
    assert resolved.status_code == 200, resolved.text
    number = resolved.json()["resolution_decision"]
    assert resolved.json()["state"] == "dismissed"
    record = api.get(f"/api/v1/decisions/{number}").json()
    assert (record["kind"], record["outcome"]) == ("objection", "dismissed")
    problem(api.post(f"{path}/withdraw", "wren"), 409, "conflict")
    assert api.get(path).json()["resolution"] == "The audit is booked."


def test_search_on_the_proposal_list(api: Api) -> None:
    world = api.world
    cards = file(world, title="Trusted model cards", text=TEXT)
    other = file(world, title="Hardware attestation", text=TEXT)
    api.post(f"/api/v1/proposals/{other}/comments", "will", json={"body": "Consider enclaves."})
    found = api.get("/api/v1/proposals", params={"q": "enclaves"}).json()["items"]
    assert [item["id"] for item in found] == [other]
    found = api.get("/api/v1/proposals", params={"q": "trusted cards"}).json()["items"]
    assert [item["id"] for item in found] == [cards]
    in_text_only = api.get("/api/v1/proposals", params={"q": "signed"}).json()
    assert in_text_only["items"] == []  # titles, summaries and comments; not revision text


def test_openapi_names_every_review_operation(api: Api) -> None:
    operations = {
        operation["operationId"]
        for path, methods in api.get("/openapi.json", None).json()["paths"].items()
        if "/comments" in path or "/concerns" in path or "/objections" in path
        for operation in methods.values()
    }
    assert operations == {
        "add_comment",
        "list_comments",
        "get_comment",
        "edit_comment",
        "retract_comment",
        "raise_concern",
        "list_concerns",
        "get_concern",
        "address_concern",
        "resolve_concern",
        "lodge_objection",
        "list_objections",
        "get_objection",
        "withdraw_objection",
        "resolve_objection",
    }
