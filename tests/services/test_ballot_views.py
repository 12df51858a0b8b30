"""Who sees what of a ballot: open and secret ballots, before and after close."""

from __future__ import annotations

import copy

import pytest
from testkit.drive import file, open_ballot, run_tick, take, vote
from testkit.world import World, build_world

from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.persistence.database import Database
from governance_engine.services.ballot_views import BallotView, view_ballot
from governance_engine.services.workflows import WorkflowCatalog


def guideline_with_secret_wg_ballot() -> WorkflowCatalog:
    [guideline] = [d for d in load_bundled() if d.name == "guideline"]
    data = copy.deepcopy(guideline.to_dict())
    data["states"]["wg_review"]["ballot"]["rule"] = {"preset": "simple-majority", "secret": True}
    secret = WorkflowDefinition.from_dict(data, source="secret guideline")
    return WorkflowCatalog([*(d for d in load_bundled() if d.name != "guideline"), secret])


@pytest.fixture(params=[False, True], ids=["open-ballot", "secret-ballot"])
def secret(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def world(database: Database, secret: bool) -> World:
    catalog = guideline_with_secret_wg_ballot() if secret else WorkflowCatalog.bundled()
    return build_world(database, catalog=catalog)


def see(world: World, who: str, ballot_id: int) -> BallotView:
    with world.database.reader() as session:
        return view_ballot(
            session, viewer=world.actor(who), ballot_id=ballot_id, at=world.clock.now()
        )


def started(world: World) -> int:
    proposal_id = file(world, kind="guideline", text="# Guideline\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "yes")
    vote(world, ballot_id, "wren", "no", rationale="too early")
    return ballot_id


def test_while_open(world: World, secret: bool) -> None:
    ballot_id = started(world)
    member = see(world, "wade", ballot_id)
    assert member.ballot.secret is secret
    assert set(member.voted) == {world.person_ids["will"], world.person_ids["wren"]}
    if secret:
        assert member.tally_visible is False
        assert member.evaluation is None
        assert {v.choice for v in member.votes} == {None}
        assert {v.rationale for v in member.votes} == {None}
    else:
        assert member.evaluation is not None
        assert member.evaluation["explanation"]["counts"]["yes"] == 1
        assert {v.choice for v in member.votes} == {"yes", "no"}
    own = see(world, "wren", ballot_id).own_vote
    assert own is not None
    assert (own.choice, own.rationale) == ("no", "too early")
    auditor = see(world, "auditor", ballot_id)
    assert auditor.evaluation is not None
    assert {v.choice for v in auditor.votes} == {"yes", "no"}


def test_after_close(world: World, secret: bool) -> None:
    ballot_id = started(world)
    for voter in ("wendy", "wes", "wade"):
        vote(world, ballot_id, voter, "yes")
    assert run_tick(world).closed == [ballot_id]
    member = see(world, "tara", ballot_id)
    assert member.ballot.outcome == "passed"
    assert member.evaluation is not None  # the tally is published
    assert member.evaluation["explanation"]["counts"]["yes"] == 4
    choices = {v.choice for v in member.votes}
    assert choices == ({None} if secret else {"yes", "no"})
    assert {v.choice for v in see(world, "auditor", ballot_id).votes} == {"yes", "no"}
