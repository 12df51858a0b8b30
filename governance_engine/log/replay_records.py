"""The rows replay rebuilds from the log, and the differences it reports (plain records)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from governance_engine.log.canonical import format_timestamp


def text_digest(text: str) -> str:
    """The SHA-256 (hex) of a revision's UTF-8 text: what identifies it (DESIGN §2, Revision)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class ProposalRecord:
    KEY: ClassVar[tuple[str, ...]] = ("id",)

    id: int
    kind: str
    title: str
    summary: str
    sponsor_body_id: int | None
    state: str
    workflow_name: str
    workflow_version: int
    version: int
    authors: tuple[int, ...]  # sorted person ids
    filed_by_id: int | None
    created_at: datetime
    updated_at: datetime
    state_entered_at: datetime


@dataclass(slots=True)
class RevisionRecord:
    KEY: ClassVar[tuple[str, ...]] = ("proposal_id", "number")

    proposal_id: int
    number: int
    digest: str
    note: str
    created_by_id: int | None
    created_at: datetime
    text_digest: str | None = None  # tables only: SHA-256 of the stored text


@dataclass(slots=True)
class BallotRecord:
    KEY: ClassVar[tuple[str, ...]] = ("id",)

    id: int
    proposal_id: int | None
    body_id: int | None
    stage: str
    revision: int | None  # the revision's number
    digest: str
    rule: dict[str, Any]
    rule_name: str | None
    secret: bool
    deadline: datetime
    state: str
    outcome: str | None
    opened_by_id: int | None
    opened_at: datetime
    closed_at: datetime | None
    closed_by_id: int | None
    close_reason: str
    version: int


@dataclass(slots=True)
class ElectorRecord:
    KEY: ClassVar[tuple[str, ...]] = ("ballot_id", "person_id")

    ballot_id: int
    person_id: int
    organization_id: int | None
    added_at: datetime
    removed_at: datetime | None
    change_reason: str


@dataclass(slots=True)
class VoteRecord:
    KEY: ClassVar[tuple[str, ...]] = ("ballot_id", "voter_id")

    ballot_id: int
    voter_id: int
    choice: str
    rationale: str
    entered_by_id: int | None
    cast_at: datetime
    updated_at: datetime
    changes: int


@dataclass(slots=True)
class DecisionRecord:
    KEY: ClassVar[tuple[str, ...]] = ("number",)

    number: str
    kind: str
    outcome: str
    ballot_id: int | None
    digest: str | None
    proposal_id: int | None
    body_id: int | None
    summary: str
    decided_at: datetime
    tally: dict[str, Any]
    rule: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class ClosedBallotFacts:
    """What the outcome of a closed ballot is recomputed from: all of it read from the log."""

    ballot_id: int
    rule: Mapping[str, Any]
    electorate: tuple[tuple[int, int | None], ...]  # (person, organization), person id order
    positions: Mapping[int, str]  # current choice of each elector who took a position
    elapsed: timedelta
    at_deadline: bool
    outcome: str | None  # as ``ballot.closed`` logged it
    tally: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Difference:
    """One field (or, with ``field`` None, one whole row) on which two sources disagree."""

    table: str
    key: str
    field: str | None
    expected: Any
    found: Any
    expected_from: str = "log"
    found_in: str = "table"

    def describe(self) -> str:
        where = f"{self.table}[{self.key}]"
        if self.field is None:
            here, missing = (
                (self.expected_from, self.found_in)
                if self.expected
                else (self.found_in, self.expected_from)
            )
            return f"{where}: in the {here}, missing from the {missing}"
        return (
            f"{where} {self.field}: {self.expected_from} {show(self.expected)}, "
            f"{self.found_in} {show(self.found)}"
        )


def label(record: Any) -> str:
    """The row's key as a difference line names it: ``ballot_id=7 voter_id=12``."""
    return " ".join(f"{name}={getattr(record, name)}" for name in record.KEY)


def show(value: Any) -> str:
    """A value as a difference line shows it: instants in the log's UTC form, the rest as repr."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    return repr(value)
