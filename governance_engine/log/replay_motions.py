"""Motions voted in meetings, as the decision log records them (pure: entries in, facts out).

``motion.raised`` logs the frozen rule, the electorate and the members present;
``motion.decided`` the positions and the outcome. Together they are all that is needed to
recompute the outcome (``services.replay``), without the ``motions`` table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from governance_engine.log.chain import EntryContent


@dataclass
class MotionFacts:
    """One motion as logged; ``outcome`` is None until its ``motion.decided`` entry."""

    motion_id: int
    rule: Mapping[str, Any]
    electorate: tuple[tuple[int, int | None], ...]  # (person, organization)
    present: tuple[int, ...]
    positions: Mapping[int, str] = field(default_factory=dict)
    outcome: str | None = None


@dataclass
class MotionReplay:
    """Folds the motion entries of the log, in seq order."""

    motions: dict[int, MotionFacts] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def apply(self, entry: EntryContent) -> None:
        if entry.action == "motion.raised":
            self._raised(entry)
        elif entry.action == "motion.decided":
            self._decided(entry)

    def _raised(self, entry: EntryContent) -> None:
        payload = entry.payload
        try:
            electorate = tuple(
                (int(e["person_id"]), _organization(e["organization_id"]))
                for e in payload["electorate"]
            )
            facts = MotionFacts(
                motion_id=int(entry.subject_id),
                rule=dict(payload["rule"]),
                electorate=electorate,
                present=tuple(int(p) for p in payload["present"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            self.problems.append(f"log seq {entry.seq} (motion.raised): unreadable ({error})")
            return
        self.motions[facts.motion_id] = facts

    def _decided(self, entry: EntryContent) -> None:
        facts = self.motions.get(int(entry.subject_id))
        if facts is None:
            self.problems.append(
                f"log seq {entry.seq} (motion.decided): motion {entry.subject_id} was never raised"
            )
            return
        payload = entry.payload
        try:
            facts.positions = {int(k): str(v) for k, v in dict(payload["positions"]).items()}
            facts.outcome = str(payload["outcome"])
        except (KeyError, TypeError, ValueError) as error:
            self.problems.append(f"log seq {entry.seq} (motion.decided): unreadable ({error})")


def _organization(value: object) -> int | None:
    return None if value is None else int(str(value))
