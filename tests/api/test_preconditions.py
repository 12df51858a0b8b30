"""If-Match on every ballot change, and field names on refused positions."""

from __future__ import annotations

from testkit.drive import file, open_ballot, take
from testkit.http import Api


def opened(api: Api) -> int:
    proposal_id = file(api.world, text="# Spec\n")
    take(api.world, proposal_id, "submit", "wendy")
    return open_ballot(api.world, proposal_id, "wendy")


def test_cancel_and_amend_honour_if_match(api: Api) -> None:
    ballot_id = opened(api)
    current = api.get(f"/api/v1/ballots/{ballot_id}").headers["ETag"]
    stale = api.post(
        f"/api/v1/ballots/{ballot_id}/electorate",
        json={"remove": [api.world.person_ids["will"]], "reason": "term ended"},
        headers={"If-Match": '"99"'},
    )
    assert stale.status_code == 412
    amended = api.post(
        f"/api/v1/ballots/{ballot_id}/electorate",
        json={"remove": [api.world.person_ids["will"]], "reason": "term ended"},
        headers={"If-Match": current},
    )
    assert amended.status_code == 200, amended.text
    refused = api.post(
        f"/api/v1/ballots/{ballot_id}/cancel",
        json={"reason": "wrong text"},
        headers={"If-Match": current},  # the amendment moved the version on
    )
    assert refused.status_code == 412
    cancelled = api.post(
        f"/api/v1/ballots/{ballot_id}/cancel",
        json={"reason": "wrong text"},
        headers={"If-Match": amended.headers["ETag"]},
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"


def test_refused_positions_name_the_field(api: Api) -> None:
    ballot_id = opened(api)
    unknown = api.post(f"/api/v1/ballots/{ballot_id}/votes", "will", json={"choice": "maybe"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["choice"]
    bare = api.post(f"/api/v1/ballots/{ballot_id}/votes", "will", json={"choice": "recuse"})
    assert bare.json()["errors"][0]["loc"] == ["rationale"]
