"""``public: false`` keeps a workflow off the public register; absent, it is public."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import WorkflowDefinition, WorkflowRegistry, load_workflow


@pytest.mark.parametrize("name", ["standard", "project", "guideline"])
def test_bundled_workflows_are_public_and_their_digest_does_not_name_the_key(
    registry: WorkflowRegistry, name: str
) -> None:
    definition = registry.latest(name).definition
    assert definition.public is True
    assert "public" not in definition.to_dict()


def test_public_false_is_read_kept_in_the_snapshot_and_changes_the_digest(
    write: Callable[..., Path], mini: dict[str, Any]
) -> None:
    public = load_workflow(write(mini))
    mini["public"] = False
    private = load_workflow(write(mini))
    assert private.public is False
    assert private.to_dict()["public"] is False
    assert WorkflowDefinition.from_dict(private.to_dict()).public is False
    assert private.digest() != public.digest()
    mini["public"] = True
    assert load_workflow(write(mini)).digest() == public.digest()


def test_public_must_be_true_or_false(write: Callable[..., Path], mini: dict[str, Any]) -> None:
    mini["public"] = "no"
    with pytest.raises(WorkflowDefinitionError, match="public: expected true or false"):
        load_workflow(write(mini))
