"""Mermaid output marks the start, terminal and approved states, ballots and a highlight."""

from __future__ import annotations

import pytest

from governance_engine.errors import NotFound
from governance_engine.lifecycle import WorkflowRegistry, to_mermaid


def test_mermaid_state_diagram(registry: WorkflowRegistry) -> None:
    text = to_mermaid(registry.get("standard", 2).definition)
    lines = text.splitlines()
    assert lines[:4] == [
        "---",
        "title: Standard publication (standard v2)",
        "---",
        "stateDiagram-v2",
    ]
    assert "  [*] --> draft" in lines
    assert "  draft --> wg_review : submit" in lines
    assert "  deferred --> withdrawn : lapse / withdraw" in lines
    assert "  toc_review : ballot of toc (two-thirds-of-body)" in lines
    assert "  returned : after 90 days then defer" in lines
    assert "  superseded --> [*]" in lines
    assert "  class superseded terminal" in lines
    assert "  class published approved" in lines
    assert not any(line.endswith(" current") for line in lines if line.startswith("  class "))


def test_highlight(registry: WorkflowRegistry) -> None:
    text = to_mermaid(registry.get("project", 2).definition, highlight="toc_review")
    assert text.endswith("  class toc_review current\n")


def test_highlight_of_unknown_state(registry: WorkflowRegistry) -> None:
    with pytest.raises(NotFound):
        to_mermaid(registry.get("project", 2).definition, highlight="nowhere")
