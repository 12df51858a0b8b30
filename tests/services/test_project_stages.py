"""Project stages after adoption: a stage change is a decision, and a failed one keeps the stage."""

from __future__ import annotations

from testkit.drive import (
    BOARD,
    TOC,
    WG,
    file,
    open_ballot,
    pass_ballot,
    run_tick,
    state_of,
    take,
    vote,
)
from testkit.world import World

from governance_engine.lifecycle import load_bundled
from governance_engine.lifecycle.machine import WorkflowMachine


def guard_names(workflow: str, action: str) -> list[str]:
    [definition] = [d for d in load_bundled() if d.name == workflow]
    machine = WorkflowMachine(definition)
    return [guard.name for guard in machine._action_guards[action]]


def test_approval_is_required_to_adopt_but_not_to_stay_adopted() -> None:
    assert "approval_ballots_passed" in guard_names("project", "ratify")
    assert "approval_ballots_passed" not in guard_names("project", "keep_incubating")


def incubating(world: World) -> int:
    proposal_id = file(world, kind="project", title="ModelCardKit", text="# ModelCardKit\n")
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    pass_ballot(world, proposal_id, "tara", TOC)
    pass_ballot(world, proposal_id, "bea", BOARD)
    return proposal_id


def test_a_graduation_the_toc_turns_down_keeps_the_project_incubating(world: World) -> None:
    proposal_id = incubating(world)
    assert take(world, proposal_id, "propose_graduation", "tara").state == "graduation_review"
    ballot_id = open_ballot(world, proposal_id, "tara")
    for member in TOC:
        vote(world, ballot_id, member, "no")
    assert run_tick(world).closed == [ballot_id]
    assert state_of(world, proposal_id) == "incubating"
