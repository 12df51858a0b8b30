"""The registry: lookups, kinds, and older versions from stored snapshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from governance_engine.errors import NotFound, WorkflowDefinitionError
from governance_engine.lifecycle import (
    WorkflowDefinition,
    WorkflowRegistry,
    load_bundled,
    load_workflow,
)


def test_lookups(registry: WorkflowRegistry) -> None:
    assert registry.names() == ["guideline", "project", "standard"]
    assert [m.definition.label for m in registry.all()] == [
        "guideline v2",
        "project v2",
        "standard v2",
    ]
    assert registry.for_kind("project").name == "project"


def test_not_found(registry: WorkflowRegistry) -> None:
    with pytest.raises(NotFound, match=r"workflow standard v7 is not loaded \(known versions: 2\)"):
        registry.get("standard", 7)
    with pytest.raises(NotFound, match="no workflow named 'policy'"):
        registry.latest("policy")
    with pytest.raises(NotFound, match="no workflow serves proposals of kind 'policy'"):
        registry.for_kind("policy")


def test_new_version_leaves_the_old_one_usable(
    write: Callable[..., Path], mini: dict[str, Any], make_facts: Callable[..., Any]
) -> None:
    old = load_workflow(write(mini))
    stored = old.to_dict()  # snapshot kept with a proposal filed on v1
    mini["version"] = 2
    mini["states"]["toc_review"]["ballot"]["outcomes"]["no_quorum"] = "withdraw"
    mini["states"]["withdrawn"] = {"terminal": True}
    mini["actions"]["withdraw"] = {"source": "toc_review", "dest": "withdrawn", "roles": ["system"]}
    registry = WorkflowRegistry.from_definitions([load_workflow(write(mini))])
    assert registry.latest("mini").version == 2
    with pytest.raises(NotFound):
        registry.get("mini", 1)

    with_old = registry.with_definition(WorkflowDefinition.from_dict(stored))
    v1 = with_old.get("mini", 1)
    assert v1.definition == old
    assert [a.name for a in v1.available_actions("toc_review")] == ["approve", "reject"]
    assert with_old.latest("mini").version == 2
    assert with_old.for_kind("standard").version == 2
    assert len(registry) == 1  # the original registry is unchanged


def test_with_definition_of_a_loaded_version_costs_nothing(registry: WorkflowRegistry) -> None:
    definition = WorkflowDefinition.from_dict(registry.get("standard", 2).definition.to_dict())
    assert registry.with_definition(definition) is registry


def test_a_changed_workflow_needs_a_new_version(registry: WorkflowRegistry) -> None:
    data = registry.get("standard", 2).definition.to_dict()
    data["title"] = "Standards, edited in place"
    with pytest.raises(WorkflowDefinitionError, match="a changed workflow needs a new version"):
        registry.with_definition(WorkflowDefinition.from_dict(data))


def test_same_version_twice_is_refused_unless_identical() -> None:
    definitions = load_bundled()
    assert len(WorkflowRegistry.from_definitions(definitions + definitions)) == 3


def test_for_kind_prefers_the_workflow_named_after_the_kind(
    write: Callable[..., Path], mini: dict[str, Any], registry: WorkflowRegistry
) -> None:
    fast = load_workflow(write(mini))  # "mini" also serves standards
    assert registry.with_definition(fast).for_kind("standard").name == "standard"
    alone = WorkflowRegistry.from_definitions([fast])
    assert alone.for_kind("standard").name == "mini"
    mini["name"] = "other"
    both = alone.with_definition(load_workflow(write(mini, name="other")))
    with pytest.raises(NotFound, match="several workflows serve kind 'standard'"):
        both.for_kind("standard")
