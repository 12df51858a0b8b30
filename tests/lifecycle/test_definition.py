"""Typed definitions: role references, snapshots (to_dict/from_dict) and digests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import RoleRef, WorkflowDefinition, WorkflowRegistry, load_workflow


@pytest.mark.parametrize(
    "text",
    [
        "author",
        "system",
        "sponsor.chair",
        "toc.co_chair",
        "board.member",
        "wg-trust.chair",
        "iesg.member",
    ],
)
def test_role_ref_round_trip(text: str) -> None:
    assert str(RoleRef.parse(text)) == text


def test_role_ref_parts() -> None:
    assert RoleRef.parse("board.secretary") == RoleRef("board", "secretary")
    assert RoleRef.parse("author") == RoleRef(None, "author")


@pytest.mark.parametrize(
    "text", ["chair", "WG.chair", "wg_x.chair", "-wg.chair", "toc.observer", "toc.", ".chair", ""]
)
def test_role_ref_refuses_unknown(text: str) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        RoleRef.parse(text)


@pytest.mark.parametrize("name", ["guideline", "project", "standard"])
def test_snapshot_round_trip(registry: WorkflowRegistry, name: str) -> None:
    definition = registry.latest(name).definition
    snapshot = json.loads(json.dumps(definition.to_dict()))  # as stored in the database
    again = WorkflowDefinition.from_dict(snapshot)
    assert again == definition
    assert again.digest() == definition.digest()
    assert again.to_dict() == definition.to_dict()


def test_digest_is_stable_and_content_addressed(registry: WorkflowRegistry) -> None:
    definition = registry.get("standard", 2).definition
    assert len(definition.digest()) == 64
    assert definition.digest() == WorkflowDefinition.from_dict(definition.to_dict()).digest()
    data = definition.to_dict()
    data["states"]["draft"]["description"] += " (edited)"
    assert WorkflowDefinition.from_dict(data).digest() != definition.digest()


def test_digest_ignores_yaml_spelling(
    write: Callable[..., Path], mini: dict[str, Any], tmp_path: Path
) -> None:
    first = load_workflow(write(mini))
    mini["actions"]["submit"]["source"] = ["draft"]  # a list of one is the same source
    mini["states"]["toc_review"]["timer"]["after"] = "2 weeks"  # 14 days
    second = load_workflow(write(mini))
    assert second.digest() == first.digest()


def test_snapshot_is_validated_again(registry: WorkflowRegistry) -> None:
    data = registry.get("standard", 2).definition.to_dict()
    data["actions"]["submit"]["guards"] = ["is_admin"]
    with pytest.raises(WorkflowDefinitionError) as caught:
        WorkflowDefinition.from_dict(data, source="proposal 42")
    assert caught.value.problems == [
        "proposal 42: actions.submit.guards[0]: unknown guard 'is_admin' (known: "
        "approval_ballots_passed, ballot_passed, has_revision, no_open_ballot, no_open_concerns, "
        "no_open_objections)"
    ]


def test_definitions_are_immutable(registry: WorkflowRegistry) -> None:
    definition = registry.get("standard", 2).definition
    with pytest.raises(AttributeError):
        definition.version = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        definition.states["draft"] = definition.states["published"]  # type: ignore[index]


def test_timer_spelling(registry: WorkflowRegistry) -> None:
    timer = registry.get("standard", 2).definition.states["returned"].timer
    assert timer is not None
    assert (timer.days, timer.business_days, timer.after) == (90, False, "90 days")


def test_business_days(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    mini["states"]["toc_review"]["timer"]["after"] = "10 business days"
    timer = load_workflow(write(mini)).states["toc_review"].timer
    assert timer is not None
    assert (timer.days, timer.business_days, timer.after) == (10, True, "10 business days")


def test_inline_rule_config_is_kept_for_the_snapshot(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    definition = load_workflow(write(mini))
    ballot = definition.states["toc_review"].ballot
    assert ballot is not None
    assert ballot.rule_config == "simple-majority"
    assert definition.to_dict()["states"]["toc_review"]["ballot"]["rule"] == "simple-majority"


def test_definitions_hash_by_content(registry: WorkflowRegistry) -> None:
    definition = registry.get("standard", 2).definition
    again = WorkflowDefinition.from_dict(definition.to_dict())
    assert {definition, again} == {definition}
