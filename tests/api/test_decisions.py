"""The decision register over HTTP: list with filters and cursors, read one record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from testkit.drive import close, file, open_ballot, run_tick, take, vote
from testkit.http import Api
from testkit.world import World

DECISIONS = "/api/v1/decisions"


@dataclass(frozen=True)
class Register:
    passed: int  # proposal whose WG ballot passed
    withdrawn: int  # proposal withdrawn during review: a transition decision
    failed: int  # proposal whose WG ballot failed
    passed_ballot: int


def in_review(world: World) -> int:
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    return proposal_id


@pytest.fixture
def register(api: Api) -> Register:
    """Three decisions of the working group: a passed ballot, a withdrawal, a failed ballot."""
    world = api.world
    passed = in_review(world)
    passed_ballot = open_ballot(world, passed, "wendy")
    for voter in ("wendy", "will", "wren"):
        vote(world, passed_ballot, voter, "yes")
    close(world, passed_ballot, "wendy")
    withdrawn = in_review(world)
    take(world, withdrawn, "withdraw", "wendy", reason="merged elsewhere")
    failed = in_review(world)
    failed_ballot = open_ballot(world, failed, "wendy")
    for voter in ("wendy", "will", "wren"):
        vote(world, failed_ballot, voter, "no")
    assert run_tick(world).closed == [failed_ballot]
    return Register(passed, withdrawn, failed, passed_ballot)


def numbers(api: Api, **params: Any) -> list[str]:
    response = api.get(DECISIONS, "will", params=params)
    assert response.status_code == 200, response.text
    return [item["number"] for item in response.json()["items"]]


def test_register_lists_and_filters(api: Api, register: Register) -> None:
    prefix = "WG-TRUST-VALIDATION-2026-"
    assert numbers(api) == [f"{prefix}001", f"{prefix}002", f"{prefix}003"]
    assert numbers(api, kind="ballot") == [f"{prefix}001", f"{prefix}003"]
    assert numbers(api, kind="transition") == [f"{prefix}002"]
    assert numbers(api, outcome="failed") == [f"{prefix}003"]
    assert numbers(api, outcome="withdrawn", proposal_id=register.withdrawn) == [f"{prefix}002"]
    assert numbers(api, proposal_id=register.passed) == [f"{prefix}001"]
    assert numbers(api, body="wg-trust-validation", kind="ballot", outcome="passed") == [
        f"{prefix}001"
    ]
    assert numbers(api, body="toc") == []
    assert numbers(api, body="no-such-body") == []
    assert api.get(DECISIONS, params={"kind": "decree"}).status_code == 422
    assert api.get(DECISIONS, params={"proposal_id": 0}).status_code == 422
    assert api.get(DECISIONS, who=None).status_code == 401


def test_one_record(api: Api, register: Register) -> None:
    number = "WG-TRUST-VALIDATION-2026-001"
    response = api.get(f"{DECISIONS}/{number}", "tara")
    assert response.status_code == 200, response.text
    record = response.json()
    assert (record["number"], record["body"], record["kind"], record["outcome"]) == (
        number,
        "wg-trust-validation",
        "ballot",
        "passed",
    )
    assert (record["proposal_id"], record["ballot_id"]) == (
        register.passed,
        register.passed_ballot,
    )
    assert record["rule"]["name"] == "simple-majority"
    assert record["tally"]["counts"]["yes"] == 3
    assert record["tally"]["lines"]
    assert len(record["digest"]) == 64
    assert "passed" in record["summary"]
    assert record["links"] == {
        "self": f"{DECISIONS}/{number}",
        "proposal": f"/api/v1/proposals/{register.passed}",
        "ballot": f"/api/v1/ballots/{register.passed_ballot}",
    }
    ballot = api.get(record["links"]["ballot"]).json()
    assert ballot["links"]["decision"] == record["links"]["self"]
    transition = api.get(f"{DECISIONS}/WG-TRUST-VALIDATION-2026-002").json()
    assert (transition["kind"], transition["ballot_id"], transition["tally"]) == (
        "transition",
        None,
        {},
    )
    assert transition["links"]["ballot"] is None


def test_unknown_numbers(api: Api, register: Register) -> None:
    missing = api.get(f"{DECISIONS}/TOC-2026-999")
    assert missing.status_code == 404
    assert missing.json()["type"] == "urn:governance-engine:problem:not-found"
    assert api.get(f"{DECISIONS}/{'X' * 101}").status_code == 422  # numbers fit in 100
    assert api.get(f"{DECISIONS}/TOC-2026-999", who=None).status_code == 401


def test_cursor_walks_the_register_once(api: Api, register: Register) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = api.get(DECISIONS, params=params).json()
        seen.extend(item["number"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == numbers(api)
    assert len(seen) == 3
