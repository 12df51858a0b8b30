"""Workflows of the tests' own, made from the bundled ones."""

from __future__ import annotations

import copy
from typing import Any

from governance_engine.lifecycle import WorkflowDefinition, load_bundled, parse_workflow


def variant(name: str, kind: str, *, of: str = "standard") -> WorkflowDefinition:
    """The bundled workflow ``of`` under another name and kind."""
    [bundled] = [d for d in load_bundled() if d.name == of]
    data: dict[str, Any] = copy.deepcopy(bundled.to_dict())
    data.update(name=name, kind=kind, title=f"{name} track")
    return parse_workflow(data, f"{name}.yaml")
