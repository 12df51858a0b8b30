"""``title:`` per state and per action: the words pages show; absent, the name in words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import (
    WorkflowDefinition,
    WorkflowRegistry,
    humanize,
    load_workflow,
)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("wg_review", "WG review"),
        ("toc_sign_off", "TOC sign off"),
        ("no_quorum", "No quorum"),
        ("passed", "Passed"),
        ("board_ratification", "Board ratification"),
        ("", ""),
    ],
)
def test_a_name_in_words(name: str, words: str) -> None:
    assert humanize(name) == words


@pytest.mark.parametrize("name", ["standard", "project", "guideline"])
def test_bundled_workflows_use_the_default_words_and_their_digest_does_not_name_the_key(
    registry: WorkflowRegistry, name: str
) -> None:
    definition = registry.latest(name).definition
    data = definition.to_dict()
    assert all("title" not in state for state in data["states"].values())
    assert all("title" not in action for action in data["actions"].values())
    for state in definition.states.values():
        assert state.title is None
        assert state.label == humanize(state.name)


def test_titles_are_read_kept_in_the_snapshot_and_change_the_digest(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    plain = load_workflow(write(mini))
    state = next(iter(mini["states"]))
    action = next(iter(mini["actions"]))
    mini["states"][state] = {**(mini["states"][state] or {}), "title": "Being written"}
    mini["actions"][action]["title"] = "Send it to the group"
    titled = load_workflow(write(mini))
    assert titled.states[state].label == "Being written"
    assert titled.actions[action].label == "Send it to the group"
    assert plain.actions[action].label == humanize(action)
    snapshot = titled.to_dict()
    assert snapshot["states"][state]["title"] == "Being written"
    assert WorkflowDefinition.from_dict(snapshot).actions[action].title == "Send it to the group"
    assert titled.digest() != plain.digest()


def test_a_title_must_be_a_string(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    action = next(iter(mini["actions"]))
    mini["actions"][action]["title"] = 3
    with pytest.raises(WorkflowDefinitionError, match=f"actions.{action}.title: expected a string"):
        load_workflow(write(mini))
