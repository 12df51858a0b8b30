"""Stage gating in the workflow files: no way forward out of a ballot stage skips its ballot."""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import (
    WorkflowDefinition,
    WorkflowRegistry,
    load_bundled,
    load_workflow,
    parse_workflow,
)
from governance_engine.lifecycle.gating import BALLOT_PASSED, forward_map, forward_states
from governance_engine.lifecycle.loader import load_directory

ROOT = Path(__file__).resolve().parents[2]


def every_workflow() -> list[WorkflowDefinition]:
    """The bundled workflows, and any shipped under ``examples/*/workflows``."""
    found = list(load_bundled())
    for directory in sorted(ROOT.glob("examples/*/workflows")):
        found.extend(load_directory(directory))
    return found


def reachable_avoiding(definition: WorkflowDefinition, start: str, avoid: str) -> set[str]:
    """Walk the graph from ``start`` along every action, never entering ``avoid``."""
    if start == avoid:
        return set()
    seen, queue = {start}, deque([start])
    while queue:
        state = queue.popleft()
        for action in definition.actions.values():
            if state in action.sources and action.dest != avoid and action.dest not in seen:
                seen.add(action.dest)
                queue.append(action.dest)
    return seen


def forward_walk(definition: WorkflowDefinition, stage: str) -> set[str]:
    """The forward destinations of ``stage``, computed independently of the engine's code."""
    ballot = definition.states[stage].ballot
    assert ballot is not None
    passed = definition.actions[ballot.outcomes["passed"]].dest
    ahead = reachable_avoiding(definition, passed, stage) | {passed}
    behind = [definition.actions[ballot.outcomes[o]].dest for o in ("failed", "no_quorum")]
    for start in [*behind, definition.initial]:
        ahead -= reachable_avoiding(definition, start, stage) - {passed}
    return ahead


@pytest.mark.parametrize("definition", every_workflow(), ids=lambda d: d.label)
def test_no_person_can_leave_a_ballot_stage_forward_without_its_ballot(
    definition: WorkflowDefinition,
) -> None:
    open_paths = []
    for stage in definition.ballot_stages():
        ahead = forward_walk(definition, stage.name)
        assert ahead == forward_map(definition)[stage.name], stage.name
        for action in definition.actions.values():
            if stage.name not in action.sources or action.dest not in ahead:
                continue
            people = [role for role in action.roles if str(role) != "system"]
            if people and BALLOT_PASSED not in action.guards and action.override is None:
                open_paths.append(f"{stage.name} --{action.name}--> {action.dest}")
    assert open_paths == []


def test_forward_means_where_a_passed_ballot_leads(registry: WorkflowRegistry) -> None:
    standard = registry.latest("standard").definition
    forward = forward_map(standard)
    # passing WG last call leads to the TOC, the Board, publication (and what follows it)
    assert forward["wg_last_call"] == {
        "toc_review",
        "board_ratification",
        "published",
        "superseded",
        "rejected",
    }
    # returning, withdrawing and deferring are where a failed ballot leads too: not forward
    assert not {"returned", "withdrawn", "deferred", "draft", "wg_review"} & forward["wg_last_call"]
    assert forward["board_ratification"] == {"published", "superseded"}


def _with_shortcut(mini: dict[str, Any], **action: Any) -> dict[str, Any]:
    data = copy.deepcopy(mini)
    data["actions"]["fast_track"] = {"source": "toc_review", "dest": "published", **action}
    return data


def _problems(data: dict[str, Any]) -> list[str]:
    try:
        parse_workflow(data, "mini.yaml")
    except WorkflowDefinitionError as error:
        return error.problems
    return []


def test_check_refuses_a_forward_way_out_a_person_may_take_without_the_ballot(
    mini: dict[str, Any],
) -> None:
    skipping = _with_shortcut(mini, roles=["toc.chair"])
    assert _problems(skipping) == [
        "mini.yaml: actions.fast_track: leaves ballot stage 'toc_review' forward (to "
        "'published') and toc.chair may fire it: add the guard 'ballot_passed' (the stage's "
        "ballot must have passed on the current revision) or declare 'override: {roles: [...], "
        "reason: required}'"
    ]
    assert _problems(_with_shortcut(mini, roles=["system"])) == []
    assert _problems(_with_shortcut(mini, roles=["toc.chair"], guards=["ballot_passed"])) == []
    declared = _with_shortcut(
        mini, roles=["toc.chair"], override={"roles": ["toc.chair"], "reason": "required"}
    )
    assert _problems(declared) == []
    # a stored snapshot is not linted (proposals filed before the check keep running; the
    # engine enforces gating on them all the same)
    assert WorkflowDefinition.from_dict(skipping).actions["fast_track"].override is None


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        (
            {"roles": ["board.chair"], "reason": "required"},
            "actions.fast_track.override.roles[0]: role 'board.chair' is not among the "
            "action's roles",
        ),
        (
            {"roles": ["toc.chair"], "reason": "optional"},
            "actions.fast_track.override.reason: must be 'required' (an override always gives "
            "its reason), got 'optional'",
        ),
        (
            {"roles": ["author"], "reason": "required"},
            "actions.fast_track.override.roles[0]: role 'author' cannot override: name a seat "
            "of a body",
        ),
        ({"roles": ["toc.chair"]}, "actions.fast_track.override.reason: missing required key"),
    ],
)
def test_override_declarations_are_checked(
    mini: dict[str, Any], override: dict[str, Any], problem: str
) -> None:
    data = _with_shortcut(mini, roles=["toc.chair", "author"], override=override)
    assert f"mini.yaml: {problem}" in _problems(data)


def test_an_override_is_part_of_the_snapshot(mini: dict[str, Any]) -> None:
    declared = _with_shortcut(
        mini, roles=["toc.chair"], override={"roles": ["toc.chair"], "reason": "required"}
    )
    definition = WorkflowDefinition.from_dict(declared)
    assert definition.to_dict()["actions"]["fast_track"]["override"] == {
        "roles": ["toc.chair"],
        "reason": "required",
    }
    assert "override" not in definition.to_dict()["actions"]["submit"]
    assert WorkflowDefinition.from_dict(definition.to_dict()) == definition


def test_gating_lint_runs_on_files(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    with pytest.raises(WorkflowDefinitionError, match="leaves ballot stage 'toc_review'"):
        load_workflow(write(_with_shortcut(mini, roles=["toc.chair"])))


def test_withdrawing_where_the_way_in_also_leads_is_not_forward() -> None:
    """A motion withdrawn from any stage lapses: lapsing is no way past the TOC vote."""
    edges = {
        "draft": {"toc_vote", "lapsed"},
        "toc_vote": {"board_vote", "defeated", "lapsed"},
        "board_vote": {"adopted", "defeated", "lapsed"},
    }
    ahead = forward_states("toc_vote", "board_vote", ["defeated"], edges, "draft")
    assert ahead == {"board_vote", "adopted"}
    # without the initial state, lapsed (reachable after the TOC vote) would look forward
    assert "lapsed" in forward_states("toc_vote", "board_vote", ["defeated"], edges)
