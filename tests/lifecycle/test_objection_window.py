"""``objection_window`` (how long after a decision an objection may be lodged); review guards."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import (
    ProposalFacts,
    Window,
    WorkflowDefinition,
    WorkflowRegistry,
    load_workflow,
)


@pytest.mark.parametrize(("name", "days"), [("standard", 21), ("project", 21), ("guideline", 14)])
def test_bundled_workflows_state_their_window(
    registry: WorkflowRegistry, name: str, days: int
) -> None:
    assert registry.get(name, 2).definition.objection_window == Window(days, False)


@pytest.mark.parametrize(
    ("spelling", "window"),
    [
        ("21 days", Window(21, False)),
        ("3 weeks", Window(21, False)),
        ("1 day", Window(1, False)),
        ("10 business days", Window(10, True)),
    ],
)
def test_spelled_like_a_timer(
    write: Callable[..., Path], mini: dict[str, Any], spelling: str, window: Window
) -> None:
    mini["objection_window"] = spelling
    assert load_workflow(write(mini)).objection_window == window


def test_without_the_key_no_objections_are_allowed(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    definition = load_workflow(write(mini))
    assert definition.objection_window is None
    assert "objection_window" not in definition.to_dict()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("soon", "expected a duration like '14 days', '2 weeks' or '10 business days', got 'soon'"),
        (21, "expected a duration like '14 days', '2 weeks' or '10 business days', got 21"),
        (
            "0 days",
            "expected a duration like '14 days', '2 weeks' or '10 business days', got '0 days'",
        ),
        (
            "2 business weeks",
            "expected a duration like '14 days', '2 weeks' or '10 business days', "
            "got '2 business weeks'",
        ),
        ("400 days", "must be at most 366 days, got '400 days'"),
    ],
)
def test_bad_windows_are_one_line_problems(
    write: Callable[..., Path], mini: dict[str, Any], value: Any, problem: str
) -> None:
    mini["objection_window"] = value
    path = write(mini)
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow(path)
    assert caught.value.problems == [f"{path}: objection_window: {problem}"]


def test_the_window_is_in_the_snapshot_and_the_digest(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    without = load_workflow(write(mini))
    mini["objection_window"] = "3 weeks"
    definition = load_workflow(write(mini))
    snapshot = json.loads(json.dumps(definition.to_dict()))
    assert snapshot["objection_window"] == "21 days"
    again = WorkflowDefinition.from_dict(snapshot)
    assert again == definition
    assert again.digest() == definition.digest() != without.digest()


def test_a_window_closes_after_its_days() -> None:
    decided = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)  # a Friday
    assert Window(21, False).closes(decided) == decided + timedelta(days=21)
    # five business days from a Friday: Mon .. Fri of the next week
    assert Window(5, True).closes(decided) == decided + timedelta(days=7)
    assert Window(1, True).closes(decided) == decided + timedelta(days=3)


def test_review_guards_name_what_blocks(registry: WorkflowRegistry) -> None:
    standard = registry.get("standard", 2)
    concern = "concern 3 'Threat model missing' raised by Will is open"
    facts = ProposalFacts(
        1,
        False,
        frozenset(),
        open_concerns=1,
        open_concern_labels=(concern,),
        stage_ballot_passed=True,
    )
    assert standard.failed_guards("wg_last_call", "end_last_call", facts) == [
        f"guard no_open_concerns failed: {concern}"
    ]
    held = ProposalFacts(
        1,
        False,
        frozenset({"sponsor", "toc", "board"}),
        open_objections=2,
        stage_ballot_passed=True,
    )
    assert standard.failed_guards("board_ratification", "ratify", held) == [
        "guard no_open_objections failed: the proposal has 2 open objections"
    ]
