"""Fixtures for lifecycle tests: the bundled registry and a small valid workflow to break."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from governance_engine.lifecycle import (
    ProposalFacts,
    WorkflowRegistry,
    load_bundled,
)

MINI: dict[str, Any] = {
    "name": "mini",
    "version": 1,
    "kind": "standard",
    "title": "Mini",
    "description": "The smallest workflow with a ballot.",
    "initial": "draft",
    "approval_requires": ["toc"],
    "states": {
        "draft": {"description": "Being written."},
        "toc_review": {
            "ballot": {
                "body": "toc",
                "rule": "simple-majority",
                "outcomes": {"passed": "approve", "failed": "reject", "no_quorum": "reject"},
            },
            "timer": {"after": "14 days", "action": "reject"},
        },
        "published": {"approved": True, "terminal": True},
        "rejected": {"terminal": True},
    },
    "actions": {
        "submit": {
            "source": "draft",
            "dest": "toc_review",
            "roles": ["sponsor.chair"],
            "guards": ["has_revision"],
        },
        "approve": {"source": "toc_review", "dest": "published", "roles": ["system"]},
        "reject": {"source": "toc_review", "dest": "rejected", "roles": ["system", "toc.chair"]},
    },
}


@pytest.fixture(scope="session")
def registry() -> WorkflowRegistry:
    return WorkflowRegistry.from_definitions(load_bundled())


@pytest.fixture(scope="session")
def mini_template() -> dict[str, Any]:
    """The valid workflow, shared: copy it before changing it."""
    return MINI


@pytest.fixture
def mini() -> dict[str, Any]:
    """A fresh, valid workflow as plain data, to mutate."""
    return copy.deepcopy(MINI)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write plain data (dumped as YAML) or raw text to ``tmp_path/<name>.yaml``."""

    def write(content: dict[str, Any] | str, name: str = "mini") -> Path:
        path = tmp_path / f"{name}.yaml"
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def facts(
    revisions: int = 1,
    *,
    open_ballot: bool = False,
    passed: frozenset[str] | set[str] = frozenset(),
    concerns: int = 0,
    objections: int = 0,
    stage_passed: bool = True,
) -> ProposalFacts:
    """``stage_passed``: the current ballot stage's ballot passed (the machine tests fire
    outcome actions as the engine does, after their ballot)."""
    return ProposalFacts(
        revision_count=revisions,
        open_ballot=open_ballot,
        passed_on_current_revision=frozenset(passed),
        open_concerns=concerns,
        open_objections=objections,
        stage_ballot_passed=stage_passed,
    )


@pytest.fixture
def make_facts() -> Callable[..., ProposalFacts]:
    return facts
