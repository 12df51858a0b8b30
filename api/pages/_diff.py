"""Differences between two revisions, with Python's difflib, as rows a template escapes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

LineKind = Literal["hunk", "same", "added", "removed", "header"]
CONTEXT_LINES = 3


@dataclass(frozen=True)
class UnifiedLine:
    kind: LineKind
    text: str


@dataclass(frozen=True)
class SideBySideRow:
    kind: Literal["same", "changed", "added", "removed"]
    left_number: int | None
    left: str
    right_number: int | None
    right: str


def unified(old: str, new: str, old_label: str, new_label: str) -> list[UnifiedLine]:
    """A unified diff; no lines when the texts are equal."""
    lines = difflib.unified_diff(
        old.splitlines(),
        new.splitlines(),
        fromfile=old_label,
        tofile=new_label,
        n=CONTEXT_LINES,
        lineterm="",
    )
    result = []
    for line in lines:
        if line.startswith(("---", "+++")):
            kind: LineKind = "header"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "added"
        elif line.startswith("-"):
            kind = "removed"
        else:
            kind = "same"
        result.append(UnifiedLine(kind, line))
    return result


def side_by_side(old: str, new: str) -> list[SideBySideRow]:
    """Both texts in two columns, line against line, with what changed marked."""
    left, right = old.splitlines(), new.splitlines()
    rows: list[SideBySideRow] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                SideBySideRow("same", i + 1, left[i], j + 1, right[j])
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        span = max(i2 - i1, j2 - j1)
        for offset in range(span):
            i, j = i1 + offset, j1 + offset
            has_left, has_right = i < i2, j < j2
            kind: Literal["changed", "added", "removed"] = (
                "changed" if has_left and has_right else "removed" if has_left else "added"
            )
            rows.append(
                SideBySideRow(
                    kind,
                    i + 1 if has_left else None,
                    left[i] if has_left else "",
                    j + 1 if has_right else None,
                    right[j] if has_right else "",
                )
            )
    return rows
