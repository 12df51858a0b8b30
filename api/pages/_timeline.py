"""A proposal's decision-log entries as sentences for its timeline.

The entries come from ``services.reads.history``, which has already removed how people voted
on a secret ballot; what is missing there is said to be hidden here, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from api.pages._labels import humanize, when
from governance_engine.services.reads import LogEntryView


@dataclass(frozen=True)
class TimelineItem:
    seq: int
    at: datetime
    actor: str
    action: str
    text: str
    redacted: bool
    link: str | None  # the ballot or decision the entry is about


def _link(view: LogEntryView) -> str | None:
    entry = view.entry
    if entry.subject_type == "ballot" and entry.subject_id.isdigit():
        return f"/ballots/{entry.subject_id}"
    if entry.subject_type == "decision":
        return f"/decisions/{quote(entry.subject_id, safe='')}"
    return None


def people_in(views: Iterable[LogEntryView]) -> set[int]:
    """The person ids a timeline names: actors, voters and whoever entered a proxy vote."""
    ids: set[int] = set()
    for view in views:
        if view.entry.actor_id is not None:
            ids.add(view.entry.actor_id)
        for key in ("voter_id", "entered_by"):
            value = view.payload.get(key)
            if isinstance(value, int):
                ids.add(value)
    return ids


def _name(names: Mapping[int, str], person_id: Any) -> str:
    if isinstance(person_id, int):
        return names.get(person_id, f"person {person_id}")
    return "someone"


def _words(value: Any) -> str:
    return humanize(value)


def describe(
    view: LogEntryView, names: Mapping[int, str], bodies: Mapping[str, str] | None = None
) -> str:
    """One entry in words (plain text: the template escapes it)."""
    p = view.payload
    action = view.entry.action
    if action == "proposal.filed":
        sponsor = str(p.get("sponsor", ""))
        sponsor = (bodies or {}).get(sponsor, sponsor)
        return (
            f"Filed “{p.get('title', '')}” as a {_words(p.get('kind', '')).lower()} in {sponsor}."
        )
    if action == "revision.added":
        note = f": {p['note']}" if p.get("note") else ""
        return f"Added revision {p.get('number')}{note}."
    if action == "proposal.transitioned":
        reason = f" Reason: {p['reason']}" if p.get("reason") else ""
        override = (
            f" Override: the “{_words(p.get('from', ''))}” ballot had not passed."
            if p.get("override")
            else ""
        )
        return (
            f"{_words(p.get('action', ''))}: {_words(p.get('from', ''))} → "
            f"{_words(p.get('to', ''))}.{override}{reason}"
        )
    if action == "ballot.opened":
        deadline = when(p.get("deadline", ""))
        return (
            f"Opened ballot {view.entry.subject_id} at stage {_words(p.get('stage', ''))} on "
            f"revision {p.get('revision')}, until {deadline}"
            + (" (secret ballot)." if p.get("secret") else ".")
        )
    if action in ("vote.cast", "vote.changed"):
        voter = _name(names, p.get("voter_id"))
        verb = "voted" if action == "vote.cast" else "changed their vote"
        proxy = (
            f" (entered by {_name(names, p.get('entered_by'))})"
            if p.get("entered_by") not in (None, p.get("voter_id"))
            else ""
        )
        if view.redacted:
            return f"{voter} {verb} on ballot {view.entry.subject_id}{proxy}; it is secret."
        rationale = f" Rationale: {p['rationale']}" if p.get("rationale") else ""
        return (
            f"{voter} {verb} on ballot {view.entry.subject_id}: {_words(p.get('choice', ''))}"
            f"{proxy}.{rationale}"
        )
    if action == "ballot.closed":
        return f"Ballot {view.entry.subject_id} closed: {_words(p.get('outcome', ''))}."
    if action == "ballot.cancelled":
        reason = f" Reason: {p['reason']}" if p.get("reason") else ""
        return f"Ballot {view.entry.subject_id} cancelled.{reason}"
    if action == "decision.recorded":
        return f"Decision {view.entry.subject_id} recorded: {_words(p.get('outcome', ''))}."
    if action == "ballot.outcome_not_applied":
        return f"The ballot's outcome could not be applied ({p.get('action')}): {p.get('reason')}"
    if action == "ballot.electorate_amended":
        return f"Electorate of ballot {view.entry.subject_id} amended: {p.get('reason', '')}"
    if action == "workflow.registered":
        return (
            f"Registered workflow “{p.get('definition', {}).get('title', p.get('name'))}” "
            f"({p.get('name')} version {p.get('version')}, SHA-256 {str(p.get('digest'))[:12]}…)."
        )
    return f"{action} on {view.entry.subject_type} {view.entry.subject_id}."


def timeline(
    views: Iterable[LogEntryView],
    names: Mapping[int, str],
    bodies: Mapping[str, str] | None = None,
) -> list[TimelineItem]:
    """The entries in words; ``bodies`` gives body names by slug."""
    return [
        TimelineItem(
            seq=view.entry.seq,
            at=view.entry.recorded_at,
            actor=_name(names, view.entry.actor_id)
            if view.entry.actor_id is not None
            else "the system",
            action=view.entry.action,
            text=describe(view, names, bodies),
            redacted=view.redacted,
            link=_link(view),
        )
        for view in views
    ]
