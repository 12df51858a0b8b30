"""The decision log over HTTP: auditors and admins only; filters, cursors, verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text
from testkit.drive import file, open_ballot, take, vote
from testkit.http import Api
from testkit.tamper import drop_log_triggers

LOG = "/api/v1/log"


@pytest.fixture
def proposal_id(api: Api) -> int:
    """A proposal in WG review with an open ballot and two positions (one changed)."""
    world = api.world
    proposal = file(world, text="# Spec\n")
    take(world, proposal, "submit", "wendy")
    ballot = open_ballot(world, proposal, "wendy")
    vote(world, ballot, "will", "no", rationale="not ready")
    vote(world, ballot, "will", "yes")
    vote(world, ballot, "wren", "yes")
    return proposal


def entries(api: Api, who: str = "auditor", **params: Any) -> list[dict[str, Any]]:
    response = api.get(LOG, who, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize("who", ["wendy", "tara", "nobody"])
def test_members_may_not_read_the_log(api: Api, who: str) -> None:
    for path in (LOG, f"{LOG}/verify"):
        response = api.get(path, who)
        assert response.status_code == 403
        assert response.json()["type"] == "urn:governance-engine:problem:permission-denied"


def test_auditors_and_admins_read_it(api: Api) -> None:
    for who in ("auditor", "admin"):
        assert api.get(LOG, who).status_code == 200
        assert api.get(f"{LOG}/verify", who).status_code == 200
    assert api.get(LOG, who=None).status_code == 401
    assert api.get(f"{LOG}/verify", who=None).status_code == 401


def test_filters(api: Api, proposal_id: int) -> None:
    ids = api.world.person_ids
    mine = entries(api, proposal_id=proposal_id)
    assert [entry["action"] for entry in mine] == [
        "proposal.filed",
        "revision.added",
        "proposal.transitioned",
        "ballot.opened",
        "vote.cast",
        "vote.changed",
        "vote.cast",
    ]
    [changed] = entries(api, action="vote.changed")
    assert changed["payload"]["previous"] == {"choice": "no", "rationale": "not ready"}
    assert [e["action"] for e in entries(api, actor_id=ids["will"])] == [
        "vote.cast",
        "vote.changed",
    ]
    wg = api.world.bodies["wg-trust-validation"]
    by_body = entries(api, body="wg-trust-validation")
    assert by_body
    assert {entry["body_id"] for entry in by_body} == {wg}
    assert entries(api, body="no-such-body") == []
    assert entries(api, proposal_id=proposal_id + 1) == []
    opened_at = datetime.fromisoformat(mine[3]["recorded_at"])
    since = entries(api, proposal_id=proposal_id, since=opened_at.isoformat())
    assert [e["action"] for e in since] == [
        "ballot.opened",
        "vote.cast",
        "vote.changed",
        "vote.cast",
    ]
    until = entries(api, proposal_id=proposal_id, until=opened_at.isoformat())
    assert [e["action"] for e in until] == [e["action"] for e in mine[:3]]
    window = entries(
        api,
        since=opened_at.isoformat(),
        until=datetime.fromisoformat(mine[5]["recorded_at"]).isoformat(),
    )
    assert [e["action"] for e in window] == ["ballot.opened", "vote.cast"]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-03-02T10:00:00"},  # naive: whose 10 o'clock?
        {"until": "2026-03-02T10:00:00"},
        {"since": "yesterday"},
        {"actor_id": 0},
        {"action": "x" * 65},
        {"cursor": "!!!"},
    ],
)
def test_bad_filters_are_refused(api: Api, params: dict[str, Any]) -> None:
    response = api.get(LOG, "auditor", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_cursor_walks_every_entry_once(api: Api, proposal_id: int) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = api.get(LOG, "admin", params=params).json()
        seen.extend(entry["seq"] for entry in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(range(1, len(seen) + 1))
    assert len(seen) == api.get(f"{LOG}/verify", "auditor").json()["checked"]


def test_verify_names_the_first_broken_entry(api: Api, proposal_id: int) -> None:
    intact = api.get(f"{LOG}/verify", "auditor").json()
    last = entries(api)[-1]
    assert intact == {
        "ok": True,
        "checked": last["seq"],
        "broken_seq": None,
        "reason": None,
        "head_hash": last["hash"],
    }
    with api.world.database.engine.begin() as connection:
        drop_log_triggers(connection)
        connection.execute(text("UPDATE log_entries SET payload = '{\"x\": 1}' WHERE seq = 5"))
    broken = api.get(f"{LOG}/verify", "admin").json()
    assert (broken["ok"], broken["broken_seq"]) == (False, 5)
    assert broken["reason"]
