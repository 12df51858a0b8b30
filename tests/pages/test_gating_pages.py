"""Pages and the API offer the same actions: never a forward way out of an unpassed ballot."""

from __future__ import annotations

from testkit.drive import WG, file, pass_ballot, state_of, take
from testkit.pages import Site


def test_the_chair_is_not_offered_and_cannot_take_end_last_call(site: Site) -> None:
    world, api = site.world, site.api
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    assert state_of(world, proposal_id) == "wg_last_call"
    base = f"/api/v1/proposals/{proposal_id}"
    before = api.get(base).json()["version"]
    listed = [a["name"] for a in api.get(f"{base}/actions").json()]
    assert listed == ["last_call_return", "withdraw"]
    refused = api.post(f"{base}/actions/end_last_call", "wendy", json={"reason": "done"})
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:governance-engine:problem:ballot-required"
    assert "wg_last_call ballot has not passed" in refused.json()["detail"]
    after = api.get(base).json()
    assert (after["state"], after["version"]) == ("wg_last_call", before)
    browser = site.browser("wendy")
    page = browser.get(f"/proposals/{proposal_id}")
    assert page.status_code == 200
    assert f"/proposals/{proposal_id}/actions/last_call_return" in page.text
    assert f"/proposals/{proposal_id}/actions/end_last_call" not in page.text
    response = browser.submit(
        f"/proposals/{proposal_id}/actions/end_last_call", {"version": str(before)}
    )
    assert response.status_code == 409, response.status_code
    assert "ballot has not passed" in response.text
    assert state_of(world, proposal_id) == "wg_last_call"
