"""Ballots over HTTP: open, vote, change, proxy, close, cancel, amend; secrecy; pagination."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from testkit.drive import WG
from testkit.http import Api
from testkit.world import World, build_world

from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.persistence.database import Database
from governance_engine.services.tick import tick
from governance_engine.services.workflows import WorkflowCatalog

BALLOTS = "/api/v1/ballots"


def problem_type(response: httpx2.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    kind: str = response.json()["type"]
    return kind.removeprefix("urn:governance-engine:problem:")


def in_review(api: Api, kind: str = "standard") -> int:
    filing = {"kind": kind, "title": "Model cards", "sponsor": "wg-trust-validation", "text": "x"}
    filed = api.post("/api/v1/proposals", "wendy", json=filing)
    assert filed.status_code == 201, filed.text
    proposal_id: int = filed.json()["id"]
    submitted = api.post(f"/api/v1/proposals/{proposal_id}/actions/submit", "wendy")
    assert submitted.status_code == 200, submitted.text
    return proposal_id


def opened(api: Api, proposal_id: int, who: str = "wendy", **extra: Any) -> dict[str, Any]:
    response = api.post(BALLOTS, who, json={"proposal_id": proposal_id, **extra})
    assert response.status_code == 201, response.text
    ballot: dict[str, Any] = response.json()
    return ballot


def cast(api: Api, ballot_id: int, who: str, choice: str, **extra: Any) -> httpx2.Response:
    return api.post(f"{BALLOTS}/{ballot_id}/votes", who, json={"choice": choice, **extra})


def run_tick(api: Api) -> list[int]:
    world = api.world
    return tick(world.database, clock=world.clock, catalog=world.catalog).closed


def test_open_read_and_list(api: Api) -> None:
    proposal_id = in_review(api)
    response = api.post(BALLOTS, "wes", json={"proposal_id": proposal_id})  # the secretary
    assert response.status_code == 201, response.text
    ballot = response.json()
    assert response.headers["Location"] == f"{BALLOTS}/{ballot['id']}"
    assert response.headers["ETag"] == '"1"'
    assert (ballot["body"], ballot["stage"], ballot["rule_name"]) == (
        "wg-trust-validation",
        "wg_review",
        "simple-majority",
    )
    assert (ballot["state"], ballot["outcome"], ballot["secret"]) == ("open", None, False)
    assert ballot["electorate"] == sorted(api.world.person_ids[name] for name in WG)
    assert "majority" in ballot["rule_description"].lower()
    assert ballot["evaluation"]["explanation"]["missing"]
    assert ballot["links"]["decision"] is None
    read = api.get(ballot["links"]["self"], "tara")
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert read.json()["id"] == ballot["id"]
    proposal = api.get(f"/api/v1/proposals/{proposal_id}").json()
    listed = api.get(proposal["links"]["ballots"], "will").json()["items"]
    assert [item["id"] for item in listed] == [ballot["id"]]
    assert set(listed[0]) >= {"digest", "deadline", "opened_at", "closed_at", "version", "links"}
    assert api.get(BALLOTS, params={"body": "toc"}).json()["items"] == []
    assert api.get(BALLOTS, params={"body": "wg-trust-validation"}).json()["items"] == listed
    assert api.get(BALLOTS, params={"state": "closed"}).json()["items"] == []
    assert api.get(BALLOTS, params={"state": "sleeping"}).status_code == 422
    assert api.get(f"{BALLOTS}/999").status_code == 404
    assert api.get(BALLOTS, who=None).status_code == 401


@pytest.mark.parametrize("who", ["will", "tara", "auditor", "nobody"])
def test_only_officers_of_the_body_open(api: Api, who: str) -> None:
    response = api.post(BALLOTS, who, json={"proposal_id": in_review(api)})
    assert response.status_code == 403
    assert problem_type(response) == "permission-denied"


def test_opening_refusals(api: Api) -> None:
    proposal_id = in_review(api)
    now = api.world.clock.now()
    naive = (now + timedelta(days=3)).replace(tzinfo=None).isoformat()
    past = (now - timedelta(days=1)).isoformat()
    for body in (
        {"proposal_id": proposal_id, "deadline": naive},
        {"proposal_id": proposal_id, "deadline": past},
        {"proposal_id": proposal_id, "surprise": True},
        {},
    ):
        assert api.post(BALLOTS, json=body).status_code == 422, body
    assert api.post(BALLOTS, json={"proposal_id": 999}).status_code == 404
    stale = api.post(BALLOTS, json={"proposal_id": proposal_id, "proposal_version": 1})
    assert (stale.status_code, stale.json()["current_version"]) == (412, 3)
    deadline = (now + timedelta(days=3)).isoformat()
    ballot = opened(api, proposal_id, deadline=deadline, proposal_version=3)
    assert ballot["deadline"].startswith((now + timedelta(days=3)).date().isoformat())
    again = api.post(BALLOTS, json={"proposal_id": proposal_id})
    assert (again.status_code, problem_type(again)) == (409, "conflict")
    filed = api.post(
        "/api/v1/proposals",
        json={"kind": "standard", "title": "Draft", "sponsor": "wg-trust-validation"},
    )
    draft = api.post(BALLOTS, json={"proposal_id": filed.json()["id"]})
    assert draft.status_code == 409
    assert "calls for no ballot" in draft.json()["detail"]


def test_idempotency_key_replays_open_and_vote(api: Api) -> None:
    proposal_id = in_review(api)
    headers = {"Idempotency-Key": "open-1"}
    first = api.post(BALLOTS, json={"proposal_id": proposal_id}, headers=headers)
    again = api.post(BALLOTS, json={"proposal_id": proposal_id}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    path = f"{BALLOTS}/{first.json()['id']}/votes"
    vote_headers = {"Idempotency-Key": "vote-1"}
    cast_once = api.post(path, "will", json={"choice": "yes"}, headers=vote_headers)
    replayed = api.post(path, "will", json={"choice": "yes"}, headers=vote_headers)
    assert (cast_once.status_code, replayed.status_code) == (201, 201)
    assert replayed.json()["changes"] == 0


def test_cast_change_and_proxy(api: Api) -> None:
    ids = api.world.person_ids
    ballot = opened(api, in_review(api))
    first = cast(api, ballot["id"], "will", "no", rationale="not ready")
    assert first.status_code == 201, first.text
    assert first.json() | {"cast_at": None, "updated_at": None} == {
        "ballot_id": ballot["id"],
        "voter_id": ids["will"],
        "choice": "no",
        "rationale": "not ready",
        "entered_by": ids["will"],
        "proxy": False,
        "cast_at": None,
        "updated_at": None,
        "changes": 0,
    }
    changed = cast(api, ballot["id"], "will", "yes")
    assert changed.status_code == 200
    assert (changed.json()["choice"], changed.json()["changes"]) == ("yes", 1)
    proxy = cast(api, ballot["id"], "wes", "abstain", on_behalf_of=ids["wade"])
    assert proxy.status_code == 201
    assert (proxy.json()["voter_id"], proxy.json()["entered_by"], proxy.json()["proxy"]) == (
        ids["wade"],
        ids["wes"],
        True,
    )
    denied = cast(api, ballot["id"], "will", "yes", on_behalf_of=ids["wren"])
    assert denied.status_code == 403
    assert "only the secretary" in denied.json()["detail"]
    overruling = cast(api, ballot["id"], "wes", "no", rationale="x", on_behalf_of=ids["will"])
    assert overruling.status_code == 409
    assert overruling.headers["content-type"] == "application/problem+json"
    assert overruling.json()["type"] == "urn:governance-engine:problem:proxy-overruled"
    assert "cannot replace it" in overruling.json()["detail"]
    votes = api.get(f"{BALLOTS}/{ballot['id']}/votes", "tara").json()
    assert {(v["voter_id"], v["choice"], v["hidden"]) for v in votes} == {
        (ids["will"], "yes", False),
        (ids["wade"], "abstain", False),
    }
    read = api.get(f"{BALLOTS}/{ballot['id']}", "will")
    assert read.headers["ETag"] == '"4"'
    assert read.json()["own_vote"]["choice"] == "yes"
    assert read.json()["evaluation"]["explanation"]["counts"]["yes"] == 1
    history = api.get(f"/api/v1/proposals/{ballot['proposal_id']}/history").json()["items"]
    [change] = [entry for entry in history if entry["action"] == "vote.changed"]
    assert change["payload"]["previous"] == {"choice": "no", "rationale": "not ready"}


@pytest.mark.parametrize("who", ["olive", "tara", "nobody", "auditor"])
def test_people_outside_the_electorate_cannot_vote(api: Api, who: str) -> None:
    ballot = opened(api, in_review(api))
    response = cast(api, ballot["id"], who, "yes")
    assert response.status_code == 403
    assert problem_type(response) == "permission-denied"


def test_bad_positions_are_refused(api: Api) -> None:
    ballot = opened(api, in_review(api))
    path = f"{BALLOTS}/{ballot['id']}/votes"
    unknown = cast(api, ballot["id"], "will", "maybe")
    assert unknown.status_code == 422
    assert "unknown choice 'maybe'" in unknown.json()["detail"]
    no_reason = cast(api, ballot["id"], "will", "recuse")
    assert no_reason.status_code == 422
    assert "rationale is required" in no_reason.json()["detail"]
    assert api.post(path, "will", json={}).status_code == 422
    assert api.post(path, "will", json={"choice": "yes", "weight": 2}).status_code == 422
    assert api.post(path, "will", json={"choice": "y" * 33}).status_code == 422
    assert cast(api, 999, "will", "yes").status_code == 404
    recused = cast(api, ballot["id"], "will", "recuse", rationale="I co-wrote the text")
    assert recused.status_code == 201


def test_close_needs_the_rule_and_a_fresh_etag(api: Api) -> None:
    ballot = opened(api, in_review(api))
    close = f"{BALLOTS}/{ballot['id']}/close"
    cast(api, ballot["id"], "will", "yes")
    early = api.post(close, headers={"If-Match": '"2"'})
    assert (early.status_code, problem_type(early)) == (409, "conflict")
    assert "cannot close yet" in early.json()["detail"]
    assert api.post(close, "will").status_code == 403
    assert api.post(close, "auditor").status_code == 403
    for voter in ("wendy", "wren"):
        cast(api, ballot["id"], voter, "yes")
    stale = api.post(close, headers={"If-Match": '"2"'})
    assert (stale.status_code, problem_type(stale)) == (412, "stale-version")
    assert stale.json()["current_version"] == 4
    etag = api.get(f"{BALLOTS}/{ballot['id']}").headers["ETag"]
    closed = api.post(close, headers={"If-Match": etag})
    assert closed.status_code == 200, closed.text
    result = closed.json()
    assert closed.headers["ETag"] == '"5"'
    assert (result["ballot"]["state"], result["ballot"]["outcome"]) == ("closed", "passed")
    assert result["decision"]["number"] == "WG-TRUST-VALIDATION-2026-001"
    assert (result["action"], result["action_error"]) == ("start_last_call", None)
    assert result["ballot"]["links"]["decision"] == result["decision"]["link"]
    proposal = api.get(f"/api/v1/proposals/{ballot['proposal_id']}").json()
    assert proposal["state"] == "wg_last_call"
    late = cast(api, ballot["id"], "wade", "yes")
    assert (late.status_code, problem_type(late)) == (409, "ballot-not-open")
    assert api.post(close).status_code == 409
    assert api.get(BALLOTS, params={"state": "closed"}).json()["items"][0]["outcome"] == "passed"


def test_deadline_then_tick_closes_without_quorum(api: Api) -> None:
    ballot = opened(api, in_review(api))
    cast(api, ballot["id"], "will", "yes")
    api.world.clock.advance(timedelta(days=8))
    late = cast(api, ballot["id"], "wren", "yes")
    assert late.status_code == 409
    assert "deadline" in late.json()["detail"]
    assert run_tick(api) == [ballot["id"]]
    read = api.get(f"{BALLOTS}/{ballot['id']}").json()
    assert (read["state"], read["outcome"], read["closed_by"]) == ("closed", "no_quorum", None)
    assert read["links"]["decision"] is not None


def test_cancel(api: Api) -> None:
    ballot = opened(api, in_review(api))
    cancel = f"{BALLOTS}/{ballot['id']}/cancel"
    assert api.post(cancel, json={}).status_code == 422
    assert api.post(cancel, json={"reason": ""}).status_code == 422
    assert api.post(cancel, json={"reason": "   "}).status_code == 422
    assert api.post(cancel, "wes", json={"reason": "typo"}).status_code == 403
    assert api.post(cancel, "auditor", json={"reason": "typo"}).status_code == 403
    cancelled = api.post(cancel, json={"reason": "wrong revision"})
    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["state"], body["outcome"], body["close_reason"]) == (
        "cancelled",
        None,
        "wrong revision",
    )
    assert cancelled.headers["ETag"] == '"2"'
    assert api.post(cancel, json={"reason": "again"}).status_code == 409
    assert cast(api, ballot["id"], "will", "yes").status_code == 409
    assert api.get("/api/v1/decisions").json()["items"] == []


def test_amend_electorate(api: Api) -> None:
    ids = api.world.person_ids
    ballot = opened(api, in_review(api))
    path = f"{BALLOTS}/{ballot['id']}/electorate"
    remove_will = {"remove": [ids["will"]], "reason": "term ended"}
    assert api.post(path, "wes", json=remove_will).status_code == 403
    assert api.post(path, "auditor", json=remove_will).status_code == 403
    assert api.post(path, json={"remove": [ids["will"]]}).status_code == 422
    assert api.post(path, json={"reason": "nothing"}).status_code == 422
    assert api.post(path, json={"add": [0], "reason": "x"}).status_code == 422
    olive = api.post(path, json={"add": [ids["olive"]], "reason": "joined"})
    assert olive.status_code == 422
    assert "holds no voting seat" in olive.json()["detail"]
    amended = api.post(path, json=remove_will)
    assert amended.status_code == 200, amended.text
    assert ids["will"] not in amended.json()["electorate"]
    assert amended.headers["ETag"] == '"2"'
    refused = cast(api, ballot["id"], "will", "yes")
    assert refused.status_code == 403
    assert "not in the electorate" in refused.json()["detail"]
    back = api.post(path, json={"add": [ids["will"]], "reason": "term renewed"})
    assert ids["will"] in back.json()["electorate"]


def test_pagination_and_state_filters(api: Api) -> None:
    proposal_id = in_review(api)
    ids = []
    for _ in range(3):
        ids.append(opened(api, proposal_id)["id"])
        api.post(f"{BALLOTS}/{ids[-1]}/cancel", json={"reason": "again"})
    ids.append(opened(api, proposal_id)["id"])
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get(BALLOTS, params=params).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    cancelled = api.get(BALLOTS, params={"state": "cancelled", "proposal_id": proposal_id})
    assert [item["id"] for item in cancelled.json()["items"]] == ids[:3]
    assert api.get(BALLOTS, params={"proposal_id": proposal_id + 1}).json()["items"] == []
    assert api.get(BALLOTS, params={"cursor": "!!!"}).status_code == 422


def secret_guideline_catalog() -> WorkflowCatalog:
    [guideline] = [d for d in load_bundled() if d.name == "guideline"]
    data = copy.deepcopy(guideline.to_dict())
    data["states"]["wg_review"]["ballot"]["rule"] = {"preset": "simple-majority", "secret": True}
    secret = WorkflowDefinition.from_dict(data, source="secret guideline")
    return WorkflowCatalog([*(d for d in load_bundled() if d.name != "guideline"), secret])


class TestSecretBallot:
    @pytest.fixture
    def world(self, database: Database) -> World:
        return build_world(database, catalog=secret_guideline_catalog())

    def started(self, api: Api) -> dict[str, Any]:
        ballot = opened(api, in_review(api, kind="guideline"))
        assert ballot["secret"] is True
        assert cast(api, ballot["id"], "will", "yes").status_code == 201
        assert cast(api, ballot["id"], "wren", "no", rationale="too early").status_code == 201
        return ballot

    def test_while_open_only_own_choice_and_no_tally(self, api: Api) -> None:
        ids = api.world.person_ids
        ballot = self.started(api)
        path = f"{BALLOTS}/{ballot['id']}"
        member = api.get(path, "wade").json()
        assert (member["tally_visible"], member["evaluation"]) == (False, None)
        assert set(member["voted"]) == {ids["will"], ids["wren"]}
        assert {(v["choice"], v["rationale"], v["hidden"]) for v in member["votes"]} == {
            (None, None, True)
        }
        own = api.get(path, "wren").json()
        assert (own["own_vote"]["choice"], own["own_vote"]["rationale"]) == ("no", "too early")
        assert own["evaluation"] is None
        votes = api.get(f"{path}/votes", "wren").json()
        assert {v["voter_id"]: v["choice"] for v in votes} == {ids["will"]: None, ids["wren"]: "no"}
        auditor = api.get(path, "auditor").json()
        assert auditor["evaluation"]["explanation"]["counts"]["yes"] == 1
        assert {v["choice"] for v in auditor["votes"]} == {"yes", "no"}
        history = api.get(f"/api/v1/proposals/{ballot['proposal_id']}/history", "wade").json()
        cast_entries = [e for e in history["items"] if e["action"] == "vote.cast"]
        assert all(e["redacted"] and "choice" not in e["payload"] for e in cast_entries)
        audited = api.get("/api/v1/log", "auditor", params={"action": "vote.cast"}).json()
        assert {e["payload"]["choice"] for e in audited["items"]} == {"yes", "no"}
        admin = api.get("/api/v1/log", "admin", params={"action": "vote.cast"}).json()
        assert all(e["redacted"] for e in admin["items"])

    def test_after_close_tally_published_choices_hidden(self, api: Api) -> None:
        ballot = self.started(api)
        for voter in ("wendy", "wes", "wade"):
            cast(api, ballot["id"], voter, "yes")
        assert run_tick(api) == [ballot["id"]]
        read = api.get(f"{BALLOTS}/{ballot['id']}", "tara").json()
        assert (read["state"], read["outcome"], read["tally_visible"]) == (
            "closed",
            "passed",
            True,
        )
        assert read["evaluation"]["explanation"]["counts"]["yes"] == 4
        assert {v["choice"] for v in read["votes"]} == {None}
        votes = api.get(f"{BALLOTS}/{ballot['id']}/votes", "auditor").json()
        assert {v["choice"] for v in votes} == {"yes", "no"}
        decision = api.get(read["links"]["decision"], "tara").json()
        assert decision["tally"]["counts"] == {"yes": 4, "no": 1, "abstain": 0, "recuse": 0}
