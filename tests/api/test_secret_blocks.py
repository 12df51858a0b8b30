"""A secret ballot with a blocking choice: once closed, its tally is published, but nothing
read by a non-auditor says who held the block (the ballot's explanation, the decision's tally).
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from testkit.drive import file, open_ballot, run_tick, take, vote
from testkit.http import Api
from testkit.world import World, build_world

from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.persistence.database import Database
from governance_engine.services.workflows import WorkflowCatalog


def secret_with_blocks() -> WorkflowCatalog:
    [guideline] = [d for d in load_bundled() if d.name == "guideline"]
    data = copy.deepcopy(guideline.to_dict())
    data["states"]["wg_review"]["ballot"]["rule"] = {"preset": "iesg", "secret": True}
    secret = WorkflowDefinition.from_dict(data, source="secret guideline with DISCUSS")
    return WorkflowCatalog([*(d for d in load_bundled() if d.name != "guideline"), secret])


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database, catalog=secret_with_blocks())


def closed_with_a_block(api: Api) -> dict[str, Any]:
    world = api.world
    proposal_id = file(world, kind="guideline", text="# Cards\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for voter in ("wendy", "will", "wade", "wes"):
        vote(world, ballot_id, voter, "yes")
    vote(world, ballot_id, "wren", "discuss", rationale="the threat model is missing")
    world.clock.advance(timedelta(days=15))
    assert run_tick(world).closed == [ballot_id]
    read: dict[str, Any] = api.get(f"/api/v1/ballots/{ballot_id}", "auditor").json()
    assert (read["state"], read["outcome"]) == ("closed", "failed")
    return read


def mentions(explanation: dict[str, Any], person_id: int) -> bool:
    return person_id in explanation["standing_blocks"] or any(
        f"voter {person_id}" in line for line in explanation["lines"]
    )


def test_the_blocks_holder_is_named_to_auditors_only(api: Api) -> None:
    wren = api.world.person_ids["wren"]
    audited = closed_with_a_block(api)
    assert audited["evaluation"]["explanation"]["standing_blocks"] == [wren]

    member = api.get(f"/api/v1/ballots/{audited['id']}", "wade").json()
    explanation = member["evaluation"]["explanation"]
    assert explanation["counts"] == audited["evaluation"]["explanation"]["counts"]
    assert explanation["standing_blocks"] == []
    assert not mentions(explanation, wren)
    assert explanation["lines"]  # the sentences that name nobody stay

    decision = api.get(member["links"]["decision"], "wade").json()
    assert decision["tally"]["standing_blocks"] == []
    assert not mentions(decision["tally"], wren)
    listed = api.get("/api/v1/decisions", "wade").json()["items"]
    assert [d["tally"]["standing_blocks"] for d in listed] == [[]]
