"""Mermaid ``stateDiagram-v2`` text of a workflow, for people and docs.

Written here rather than with transitions' ``GraphMachine(graph_engine="mermaid")``: that
needs a model per diagram, marks the current state only after a transition was fired on it,
and has no notion of terminal or approved states, which are what readers look for.
"""

from __future__ import annotations

from collections import defaultdict

from governance_engine.errors import NotFound
from governance_engine.lifecycle.definition import StateDefinition, WorkflowDefinition

_CLASSES = (
    "classDef terminal fill:#eeeeee,color:#333333",
    "classDef approved fill:#d3f9d8,color:#2b8a3e,font-weight:bold",
    "classDef current fill:#fff3bf,stroke:#e8590c,stroke-width:3px",
)


def to_mermaid(definition: WorkflowDefinition, highlight: str | None = None) -> str:
    """The lifecycle as a state diagram; ``highlight`` marks one state (say, a proposal's)."""
    if highlight is not None and highlight not in definition.states:
        raise NotFound(f"workflow {definition.label} has no state {highlight!r}")
    lines = [
        "---",
        f"title: {_text(definition.title)} ({definition.label})",
        "---",
        "stateDiagram-v2",
    ]
    lines.extend(f"  {line}" for line in _CLASSES)
    lines.append(f"  [*] --> {definition.initial}")
    for state in definition.states.values():
        lines.extend(f"  {state.name} : {note}" for note in _notes(state))
    labels: dict[tuple[str, str], list[str]] = defaultdict(list)
    for action in definition.actions.values():
        for source in action.sources:
            labels[(source, action.dest)].append(action.name)
    for (source, dest), names in labels.items():
        lines.append(f"  {source} --> {dest} : {' / '.join(names)}")
    for state in definition.states.values():
        if state.terminal:
            lines.append(f"  {state.name} --> [*]")
    for state in definition.states.values():  # one class statement per state and class
        lines.extend(
            f"  class {state.name} {css_class}"
            for css_class, marked in (("terminal", state.terminal), ("approved", state.approved))
            if marked
        )
    if highlight is not None:
        lines.append(f"  class {highlight} current")
    return "\n".join(lines) + "\n"


def _notes(state: StateDefinition) -> list[str]:
    notes = []
    if state.approved:
        notes.append("approved")
    if state.ballot is not None:
        rule = state.ballot.rule_config
        rule_name = rule if isinstance(rule, str) else "custom rule"
        notes.append(f"ballot of {state.ballot.body} ({rule_name})")
    if state.timer is not None:
        notes.append(f"after {state.timer.after} then {state.timer.action}")
    return notes


def _text(text: str) -> str:
    """Mermaid text on one line, without characters that end a label."""
    return " ".join(text.replace(":", " -").replace(";", ",").split())
