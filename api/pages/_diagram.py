"""A workflow as an SVG state diagram, drawn on the server: the pages run no JavaScript.

Layout: states in rows by their breadth-first distance from the initial state, final states
(no way out) together in the last row; each edge is one (source, destination) pair labelled
with its actions. Edges to the next row are straight; the others bow sideways, back edges to
the right and long forward edges to the left, so they pass around the boxes in between; edges
along a row dip below it. An action open from many states (withdraw) is one arrow into its
destination, labelled with how many states it leaves from, rather than a fan of lines. The
current state is drawn heavier and marked in words too, for those who cannot see colour.

Every text is escaped here, since the result is inserted into a page as markup.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from governance_engine.lifecycle import WorkflowDefinition

BOX_WIDTH = 168
BOX_HEIGHT = 44
GAP_X = 56
GAP_Y = 86
MARGIN = 28
CHAR_WIDTH = 6.4  # at the 11px label font; only to size the label backgrounds
# Presentation attributes, so the diagram reads without the stylesheet (which refines them).
_EDGE = 'fill="none" stroke="#6b7280" stroke-width="1.3"'
_BOX = 'fill="#eef3fb" stroke="#46648c" stroke-width="1.5"'
_CURRENT = 'fill="#fff3bf" stroke="#c2410c" stroke-width="4"'
FAN_IN = 3  # an action from this many states or more (say, withdraw) is one arrow, not many


@dataclass(frozen=True)
class _Box:
    x: float
    y: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + BOX_WIDTH / 2, self.y + BOX_HEIGHT / 2


def rows(definition: WorkflowDefinition) -> list[list[str]]:
    """States grouped by breadth-first depth from the initial state; final states last."""
    following: dict[str, list[str]] = {name: [] for name in definition.states}
    for action in definition.actions.values():
        for source in action.sources:
            if action.dest not in following[source]:
                following[source].append(action.dest)
    depth = {definition.initial: 0}
    queue = deque([definition.initial])
    while queue:
        state = queue.popleft()
        for dest in following[state]:
            if dest not in depth:
                depth[dest] = depth[state] + 1
                queue.append(dest)
    for name in definition.states:  # validation makes every state reachable; be total anyway
        depth.setdefault(name, max(depth.values()) + 1)
    finals = [name for name in depth if not following[name]]
    inner = [name for name in depth if following[name]]
    levels = max((depth[name] for name in inner), default=0) + 1
    grouped: list[list[str]] = [[] for _ in range(levels)]
    for name in inner:
        grouped[depth[name]].append(name)
    grouped = [row for row in grouped if row]
    if finals:
        grouped.append(finals)
    return grouped


def _edges(definition: WorkflowDefinition) -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = {}
    for action in definition.actions.values():
        if len(action.sources) >= FAN_IN:
            continue  # drawn once, as a note on its destination
        for source in action.sources:
            edges.setdefault((source, action.dest), []).append(action.name)
    return edges


def _clip(box: _Box, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the box's centre towards a point leaves the box."""
    cx, cy = box.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (BOX_WIDTH / 2) / abs(dx) if dx else math.inf,
        (BOX_HEIGHT / 2) / abs(dy) if dy else math.inf,
    )
    return cx + dx * scale, cy + dy * scale


def svg(definition: WorkflowDefinition, current: str | None = None) -> Markup:
    grouped = rows(definition)
    widest = max(len(row) for row in grouped)
    inner_width = widest * BOX_WIDTH + (widest - 1) * GAP_X
    width = inner_width + 2 * MARGIN + 2 * GAP_X
    height = len(grouped) * BOX_HEIGHT + (len(grouped) - 1) * GAP_Y + 2 * MARGIN + 40
    boxes: dict[str, _Box] = {}
    level: dict[str, int] = {}
    for index, row in enumerate(grouped):
        row_width = len(row) * BOX_WIDTH + (len(row) - 1) * GAP_X
        left = MARGIN + GAP_X + (inner_width - row_width) / 2
        for position, name in enumerate(row):
            boxes[name] = _Box(
                left + position * (BOX_WIDTH + GAP_X), MARGIN + index * (BOX_HEIGHT + GAP_Y)
            )
            level[name] = index

    title = f"{definition.title} (version {definition.version})"
    description = (
        f"State diagram of {title}"
        + (f"; the current state is {definition.states[current].label}" if current else "")
        + ". The table below lists the same states and transitions."
    )
    parts = [
        f'<svg class="workflow" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" role="img" '
        'aria-labelledby="diagram-title diagram-desc">',
        f'<title id="diagram-title">{escape(title)}</title>',
        f'<desc id="diagram-desc">{escape(description)}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="arrowhead" fill="#6b7280"/></marker></defs>',
    ]
    labels: list[str] = []
    taken = [_Area(b.x, b.y, b.x + BOX_WIDTH, b.y + BOX_HEIGHT) for b in boxes.values()]
    for (source, dest), names in _edges(definition).items():
        rows_down = level[dest] - level[source]
        path, middle = _route(boxes[source], boxes[dest], rows_down)
        parts.append(f'<path class="edge" d="{path}" {_EDGE} marker-end="url(#arrow)"/>')
        text = " / ".join(definition.actions[name].label for name in names)
        away = -1 if rows_down > 1 else 1  # the way the edge bows
        labels.append(_label(text, _clear_of(taken, text, middle, away)))
    for action in definition.actions.values():
        if len(action.sources) >= FAN_IN:
            # One arrow into the destination from below, named with where it may come from.
            cx, bottom = boxes[action.dest].centre[0], boxes[action.dest].y + BOX_HEIGHT
            parts.append(
                f'<path class="edge shared" d="M{cx:.1f},{bottom + 32:.1f} L{cx:.1f},'
                f'{bottom:.1f}" {_EDGE} stroke-dasharray="4 3" marker-end="url(#arrow)"/>'
            )
            text = f"{action.label}: from any of {len(action.sources)} states"
            labels.append(_label(text, (cx, bottom + 42)))
    for name, box in boxes.items():
        state = definition.states[name]
        classes = ["state"]
        if state.terminal:
            classes.append("terminal")
        if state.approved:
            classes.append("approved")
        if name == current:
            classes.append("current")
        cx, cy = box.centre
        caption = state.label
        parts.append(
            f'<g class="{" ".join(classes)}"><rect x="{box.x:.1f}" y="{box.y:.1f}" '
            f'width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="8" '
            f"{_CURRENT if name == current else _BOX}/>"
            f'<text x="{cx:.1f}" y="{cy + (0 if name == current else 4.5):.1f}" '
            f'text-anchor="middle">{escape(caption)}</text>'
            + (
                f'<text class="marker" x="{cx:.1f}" y="{cy + 15:.1f}" text-anchor="middle">'
                "current state</text>"
                if name == current
                else ""
            )
            + "</g>"
        )
    parts.extend(labels)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


@dataclass(frozen=True)
class _Area:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: _Area) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def _clear_of(
    taken: list[_Area], text: str, at: tuple[float, float], away: int
) -> tuple[float, float]:
    """Slide a label sideways until it covers no state box and no other label; claim its area."""
    half = len(text) * CHAR_WIDTH / 2 + 6
    x, y = at
    for step in range(60):
        area = _Area(x - half, y - 10, x + half, y + 9)
        if not any(area.overlaps(other) for other in taken):
            break
        x = at[0] + 8 * away * (step + 1)
    taken.append(_Area(x - half, y - 10, x + half, y + 9))
    return x, y


def _label(text: str, at: tuple[float, float]) -> str:
    half = len(text) * CHAR_WIDTH / 2 + 4
    return (
        f'<rect class="edge-label-bg" x="{at[0] - half:.1f}" y="{at[1] - 8:.1f}" '
        f'width="{2 * half:.1f}" height="15" rx="3" fill="#ffffff"/>'
        f'<text class="edge-label" x="{at[0]:.1f}" y="{at[1] + 3.5:.1f}" '
        f'text-anchor="middle">{escape(text)}</text>'
    )


def _route(source: _Box, dest: _Box, rows_down: int) -> tuple[str, tuple[float, float]]:
    """The SVG path of one edge, and where its label goes."""
    (sx, sy), (dx, dy) = source.centre, dest.centre
    if source == dest:  # a self-loop: out of the right side and back
        x, y = source.x + BOX_WIDTH, sy
        return (
            f"M{x:.1f},{y - 8:.1f} C{x + 50:.1f},{y - 40:.1f} {x + 50:.1f},{y + 40:.1f} "
            f"{x:.1f},{y + 8:.1f}",
            (x + 40, y),
        )
    if rows_down == 1:
        start, end = _clip(source, (dx, dy)), _clip(dest, (sx, sy))
        middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        return f"M{start[0]:.1f},{start[1]:.1f} L{end[0]:.1f},{end[1]:.1f}", middle
    if rows_down == 0:  # along a row: dip below it, into the gap before the next row
        control = ((sx + dx) / 2, sy + BOX_HEIGHT * 1.6)
    else:  # back edges bow to the right, long forward edges to the left
        side = 1 if rows_down < 0 else -1
        bow = side * (BOX_WIDTH * 0.75 + 18 * min(abs(rows_down), 4))
        control = ((sx + dx) / 2 + bow, (sy + dy) / 2)
    start, end = _clip(source, control), _clip(dest, control)
    middle = (
        0.25 * start[0] + 0.5 * control[0] + 0.25 * end[0],
        0.25 * start[1] + 0.5 * control[1] + 0.25 * end[1],
    )
    path = (
        f"M{start[0]:.1f},{start[1]:.1f} Q{control[0]:.1f},{control[1]:.1f} "
        f"{end[0]:.1f},{end[1]:.1f}"
    )
    return path, middle
