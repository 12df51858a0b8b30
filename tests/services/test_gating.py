"""Stage gating in the service: a person leaves a ballot stage forward only through its ballot."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from testkit.drive import WG, act, file, pass_ballot, state_of, take
from testkit.world import World

from governance_engine.errors import BallotRequired, InvalidInput
from governance_engine.lifecycle import WorkflowDefinition, load_bundled, parse_workflow
from governance_engine.persistence.models import Decision, LogEntry
from governance_engine.services import proposals
from governance_engine.services.workflows import WorkflowCatalog


def in_last_call(world: World) -> int:
    """A standard through WG review: its last-call ballot has not been held."""
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    assert state_of(world, proposal_id) == "wg_last_call"
    return proposal_id


def offered(world: World, proposal_id: int, who: str) -> dict[str, proposals.AvailableAction]:
    return {
        a.name: a
        for a in act(
            world,
            lambda s: proposals.available_actions(
                s,
                actor=world.actor(who),
                at=world.clock.now(),
                catalog=world.catalog,
                proposal_id=proposal_id,
            ),
        )
    }


def version_of(world: World, proposal_id: int) -> int:
    with world.database.reader() as session:
        return proposals.get_proposal(session, proposal_id).version


def test_the_chair_cannot_skip_last_call(world: World) -> None:
    proposal_id = in_last_call(world)
    before = version_of(world, proposal_id)
    with pytest.raises(BallotRequired, match="wg_last_call ballot has not passed") as refused:
        take(world, proposal_id, "end_last_call", "wendy")
    assert refused.value.details == {"stage": "wg_last_call", "action": "end_last_call"}
    assert (state_of(world, proposal_id), version_of(world, proposal_id)) == (
        "wg_last_call",
        before,
    )
    # not offered; the ways back still are
    assert set(offered(world, proposal_id, "wendy")) == {"last_call_return", "withdraw"}


def test_the_passed_ballot_opens_the_way_forward(world: World) -> None:
    proposal_id = in_last_call(world)
    pass_ballot(world, proposal_id, "wendy", WG)  # lazy consensus: the engine moves it on
    assert state_of(world, proposal_id) == "toc_review"


def with_override() -> WorkflowCatalog:
    """The standard workflow, edited: the WG secretary may end last call once the ballot
    passed, the WG chair also by override."""
    [standard] = [d for d in load_bundled() if d.name == "standard"]
    data = copy.deepcopy(standard.to_dict())
    data["version"] = standard.version + 1
    data["actions"]["end_last_call"]["roles"].append("sponsor.secretary")
    data["actions"]["end_last_call"]["override"] = {
        "roles": ["sponsor.chair"],
        "reason": "required",
    }
    edited = parse_workflow(data, "standard.yaml")
    return WorkflowCatalog([*(d for d in load_bundled() if d.name != "standard"), edited])


def test_a_declared_override_needs_its_role_and_a_reason_and_is_logged(world: World) -> None:
    world.catalog = with_override()
    proposal_id = in_last_call(world)
    assert offered(world, proposal_id, "wendy")["end_last_call"].override is True
    assert "end_last_call" not in offered(world, proposal_id, "wes")  # secretary: no override
    with pytest.raises(BallotRequired, match="only the chair of wg-trust-validation may override"):
        take(world, proposal_id, "end_last_call", "wes", reason="hurry")
    with pytest.raises(InvalidInput, match="is an override: give a reason"):
        take(world, proposal_id, "end_last_call", "wendy", reason="  ")
    moved = take(
        world, proposal_id, "end_last_call", "wendy", reason="last call held at the meeting"
    )
    assert moved.state == "toc_review"
    with world.database.reader() as session:
        entry = session.scalars(
            select(LogEntry)
            .where(LogEntry.action == "proposal.transitioned", LogEntry.proposal_id == proposal_id)
            .order_by(LogEntry.seq.desc())
        ).first()
        assert entry is not None
        assert entry.payload["override"] is True
        assert entry.payload["reason"] == "last call held at the meeting"
        assert entry.actor_id == world.person_ids["wendy"]


def test_an_action_the_ballot_allows_is_not_an_override(world: World) -> None:
    world.catalog = with_override()
    proposal_id = in_last_call(world)
    take(world, proposal_id, "last_call_return", "wendy")  # not forward: no override needed
    with world.database.reader() as session:
        entry = session.scalars(
            select(LogEntry)
            .where(LogEntry.action == "proposal.transitioned", LogEntry.proposal_id == proposal_id)
            .order_by(LogEntry.seq.desc())
        ).first()
        assert entry is not None
        assert "override" not in entry.payload


def test_snapshots_from_before_the_check_are_gated_too(world: World) -> None:
    """A stored workflow whose chair may end last call with no guard still cannot skip it."""
    [standard] = [d for d in load_bundled() if d.name == "standard"]
    data = copy.deepcopy(standard.to_dict())
    data["version"] = standard.version + 1
    data["actions"]["end_last_call"]["guards"] = ["no_open_ballot", "no_open_concerns"]
    old = WorkflowDefinition.from_dict(data)  # as read back from the database: not linted
    world.catalog = WorkflowCatalog([*(d for d in load_bundled() if d.name != "standard"), old])
    proposal_id = in_last_call(world)
    with pytest.raises(BallotRequired):
        take(world, proposal_id, "end_last_call", "wendy")
    assert "end_last_call" not in offered(world, proposal_id, "wendy")


def test_an_override_that_ends_the_lifecycle_says_so_on_the_decision(world: World) -> None:
    [standard] = [d for d in load_bundled() if d.name == "standard"]
    data = copy.deepcopy(standard.to_dict())
    data["version"] = standard.version + 1
    # rejected is reached only after passing last call (the Board refuses): forward
    data["actions"]["drop_after_last_call"] = {
        "source": "wg_last_call",
        "dest": "rejected",
        "roles": ["sponsor.chair"],
        "override": {"roles": ["sponsor.chair"], "reason": "required"},
    }
    edited = parse_workflow(data, "standard.yaml")
    world.catalog = WorkflowCatalog([*(d for d in load_bundled() if d.name != "standard"), edited])
    proposal_id = in_last_call(world)
    take(world, proposal_id, "drop_after_last_call", "wendy", reason="superseded by ISO work")
    with world.database.reader() as session:
        decision = session.scalars(
            select(Decision).where(
                Decision.proposal_id == proposal_id, Decision.kind == "transition"
            )
        ).one()
    assert decision.outcome == "rejected"
    assert decision.summary.endswith(
        "(override of the wg_last_call ballot: superseded by ISO work)"
    )
