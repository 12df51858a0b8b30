"""Words for people on the pages: dates, and the labels of workflow states and actions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from governance_engine.lifecycle import WorkflowDefinition, humanize
from governance_engine.services.records import readable_lines

__all__ = ["action_label", "explained", "humanize", "state_label", "when"]


def when(moment: datetime | str | None) -> str:
    """A time for people: ``6 December 2026, 04:22 UTC`` (an ISO string is read first)."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            parsed = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    else:
        parsed = moment
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return f"{parsed.day} {parsed:%B %Y, %H:%M} UTC"


def state_label(name: str, definition: WorkflowDefinition | None = None) -> str:
    """A state's words: its ``title`` in the workflow file, else its name in words."""
    state = definition.states.get(name) if definition is not None else None
    return state.label if state is not None else humanize(name)


def action_label(name: str, definition: WorkflowDefinition | None = None) -> str:
    """An action's words: its ``title`` in the workflow file, else its name in words."""
    action = definition.actions.get(name) if definition is not None else None
    return action.label if action is not None else humanize(name)


def explained(lines: Iterable[str], names: Mapping[int, str], closed: bool = False) -> list[str]:
    """A tally's explanation with names for voters; once closed, what was decided."""
    return readable_lines(lines, names, closed=closed)
