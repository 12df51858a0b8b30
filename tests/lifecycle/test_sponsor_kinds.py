"""``sponsor_kinds``: which kinds of body may sponsor a proposal under a workflow."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.lifecycle.loader import parse_workflow


def test_working_groups_sponsor_by_default_and_the_default_changes_no_digest(
    mini: dict[str, Any],
) -> None:
    definition = parse_workflow(mini, "mini.yaml")
    assert definition.sponsor_kinds == ("working_group",)
    assert "sponsor_kinds" not in definition.to_dict()
    for bundled in load_bundled():
        assert bundled.sponsor_kinds == ("working_group",)


def test_named_kinds_are_kept_and_survive_a_stored_round_trip(mini: dict[str, Any]) -> None:
    data = copy.deepcopy(mini)
    data["sponsor_kinds"] = ["pmc", "working_group"]
    definition = parse_workflow(data, "mini.yaml")
    assert definition.sponsor_kinds == ("pmc", "working_group")
    stored = definition.to_dict()
    assert stored["sponsor_kinds"] == ["pmc", "working_group"]
    assert WorkflowDefinition.from_dict(stored).sponsor_kinds == ("pmc", "working_group")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([], "sponsor_kinds: must name at least one kind of body"),
        (["Working Group"], "sponsor_kinds[0]: invalid body kind 'Working Group'"),
        (["pmc", "pmc"], "sponsor_kinds[1]: duplicate entry 'pmc'"),
        ("pmc", "sponsor_kinds"),
    ],
)
def test_bad_sponsor_kinds_are_named(mini: dict[str, Any], value: Any, problem: str) -> None:
    data = copy.deepcopy(mini)
    data["sponsor_kinds"] = value
    with pytest.raises(WorkflowDefinitionError) as raised:
        parse_workflow(data, "mini.yaml")
    assert problem in str(raised.value)
