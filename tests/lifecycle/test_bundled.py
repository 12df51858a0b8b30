"""The three bundled workflows load, validate and say what the design says."""

from __future__ import annotations

import pytest

from governance_engine.lifecycle import (
    WorkflowRegistry,
    bundled_workflows_path,
    load_bundled,
    load_workflow,
)


def test_bundled_workflows_load() -> None:
    names = [definition.label for definition in load_bundled()]
    assert names == ["guideline v2", "project v2", "standard v2"]


@pytest.mark.parametrize("name", ["guideline", "project", "standard"])
def test_each_file_serves_its_kind(name: str) -> None:
    definition = load_workflow(bundled_workflows_path() / f"{name}.yaml")
    assert definition.kind == name
    assert definition.states[definition.initial].name == "draft"
    assert any(state.approved for state in definition.states.values())


def test_standard_has_four_ballot_stages(registry: WorkflowRegistry) -> None:
    definition = registry.get("standard", 2).definition
    stages = {state.name: state.ballot.body for state in definition.ballot_stages() if state.ballot}
    assert stages == {
        "wg_review": "sponsor",
        "wg_last_call": "sponsor",
        "toc_review": "toc",
        "board_ratification": "board",
    }
    assert definition.approval_requires == ("sponsor", "toc", "board")
    assert definition.states["published"].approved
    assert definition.states["superseded"].terminal


def test_guideline_informs_the_board_without_a_ballot(registry: WorkflowRegistry) -> None:
    definition = registry.get("guideline", 2).definition
    assert definition.approval_requires == ("sponsor", "toc")
    assert {s.ballot.body for s in definition.ballot_stages() if s.ballot} == {"sponsor", "toc"}


def test_project_stage_changes_are_toc_decisions(registry: WorkflowRegistry) -> None:
    definition = registry.get("project", 2).definition
    for name in ("graduation_review", "archival_review", "graduated_archival_review"):
        ballot = definition.states[name].ballot
        assert ballot is not None
        assert ballot.body == "toc"
    assert definition.states["incubating"].approved
    assert not definition.states["graduated"].approved


def test_idle_states_have_timers(registry: WorkflowRegistry) -> None:
    for machine in registry.all():
        states = machine.definition.states
        returned = states["returned"].timer
        assert returned is not None
        assert (returned.days, returned.action) == (90, "defer")
        assert states["deferred"].timer is not None


def test_ballot_outcomes_and_timers_are_fired_by_system(registry: WorkflowRegistry) -> None:
    for machine in registry.all():
        definition = machine.definition
        for state in definition.states.values():
            fired = list(state.ballot.outcomes.values()) if state.ballot else []
            fired += [state.timer.action] if state.timer else []
            for action in fired:
                assert definition.actions[action].allows("system")
