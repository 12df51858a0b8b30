"""``log replay``: rebuild the governance tables from the decision log alone and compare.

Three checks an auditor runs (DESIGN §6: the log is the system of record):

1. **Replay.** Fold every log entry, in seq order, into the rows the tables must hold
   (``log.replay``), read the tables (``repositories.replay``), and report every row or field
   on which they differ, including rows one side has and the other lacks.
2. **Recompute.** For every closed ballot, apply its frozen rule, as ``ballot.opened`` logged
   it, to the electorate and positions the log gives as of its ``ballot.closed`` entry, and
   check the result is the outcome ``ballot.closed`` and ``decision.recorded`` logged (the
   tables are held to those by the replay). Later edits to presets or workflow files cannot
   change a past ballot's outcome, because only the logged rule is used.
3. **Charters.** Every proposal was filed under a workflow version registered earlier in the
   log (``workflow.registered``, with the digest its filing logged); each registration's digest
   is the digest of the definition it logs and of the definition stored for that version
   (``log.replay_workflows``).

Both sides are read in one snapshot, so writers running meanwhile do not show up as
differences. Reads only: safe on a live database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from governance_engine.errors import RuleDefinitionError
from governance_engine.log.replay import (
    Replayer,
    ReplayState,
)
from governance_engine.log.replay_motions import MotionReplay
from governance_engine.log.replay_records import (
    ClosedBallotFacts,
    DecisionRecord,
    Difference,
    label,
)
from governance_engine.log.replay_workflows import definition_digest
from governance_engine.log.stored_row import DamagedRow
from governance_engine.persistence import log_writer
from governance_engine.persistence.repositories import meetings as meeting_queries
from governance_engine.persistence.repositories import proposals as proposal_queries
from governance_engine.persistence.repositories import replay as queries
from governance_engine.services.replay_motions import check_motions
from governance_engine.voting import Elector, Evaluation, Rule, evaluate

RECOMPUTED = "recomputed from the frozen rule"
_TABLES = ("proposals", "revisions", "ballots", "ballot_electors", "votes", "decisions")
_STATE_FIELD = {"ballot_electors": "electors"}


@dataclass(frozen=True)
class ReplayReport:
    """What the replay rebuilt, how many closed ballots it recomputed, and every difference."""

    entries: int
    rows: Mapping[str, int]  # rows rebuilt from the log, per table
    recomputed: int
    differences: tuple[Difference, ...]
    unknown_actions: Mapping[str, int]
    motions: int = 0  # motions voted in meetings, recomputed

    @property
    def ok(self) -> bool:
        return not self.differences

    def lines(self) -> list[str]:
        """One line per difference: table, key and field, then each source and its value."""
        return [difference.describe() for difference in self.differences]

    def summary(self) -> str:
        """One line: clean or how many differences, then what was rebuilt and recomputed."""
        rows = self.rows
        counted = (
            f"{_count(self.entries, 'log entry', 'log entries')}: "
            f"{_count(rows['proposals'], 'proposal')}, {_count(rows['revisions'], 'revision')}, "
            f"{_count(rows['ballots'], 'ballot')} ({_count(rows['ballot_electors'], 'elector')}), "
            f"{_count(rows['votes'], 'vote')}, {_count(rows['decisions'], 'decision')}; "
            f"{_count(self.recomputed, 'closed ballot')} recomputed"
        )
        if self.motions:
            counted += f", {_count(self.motions, 'motion')} recomputed"
        unknown = ", ".join(f"{action} ({n})" for action, n in sorted(self.unknown_actions.items()))
        if unknown:
            counted += f"; not replayed: {unknown}"
        if self.ok:
            return f"replay clean: the tables match the log ({counted})"
        return f"replay found {_count(len(self.differences), 'difference')} ({counted})"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def replay(session: Session) -> ReplayReport:
    """Replay the whole log against the tables and recompute every closed ballot.

    Call it first in a fresh read-only unit of work: it fixes that transaction's snapshot.
    """
    queries.take_snapshot(session)
    replayer = Replayer()
    motions = MotionReplay()
    damage: list[Difference] = []
    with closing(log_writer.iter_stored(session)) as rows:
        expected = 1
        for row in rows:
            if isinstance(row, DamagedRow):
                damage.append(_damaged(row.seq, row.what))
                expected = row.seq + 1
                continue
            seq = row.content.seq
            if seq != expected:
                what = (
                    f"entries {expected}..{seq - 1} are missing"
                    if seq > expected
                    else f"seq {seq} is stored again after seq {expected - 1}"
                )
                damage.append(_damaged(min(seq, expected), what))
            expected = max(expected, seq + 1)
            replayer.apply(row.content)
            motions.apply(row.content)
    from_log = replayer.state
    tables = queries.read_tables(session)
    stored = {
        (row.name, row.version): definition_digest(row.definition)
        for row in proposal_queries.all_workflow_versions(session)
    }
    differences = [
        *damage,
        *from_log.problems,
        *compare(from_log, tables),
        *check_outcomes(from_log),
        *from_log.workflows.compare_stored(stored),
        *check_motions(motions, meeting_queries.motion_outcomes(session)),
    ]
    return ReplayReport(
        entries=from_log.entries,
        rows={table: len(_rows(from_log, table)) for table in _TABLES},
        recomputed=len(from_log.closed),
        motions=sum(1 for f in motions.motions.values() if f.outcome is not None),
        differences=tuple(differences),
        unknown_actions=dict(from_log.unknown_actions),
    )


def _damaged(seq: int, what: str) -> Difference:
    """A stored row replay cannot read: named by its seq, replayed around, never raised."""
    return Difference("log", f"seq={seq}", "stored row", "an entry", what, "replay", "log")


def _rows(state: ReplayState, table: str) -> Mapping[Any, Any]:
    rows: Mapping[Any, Any] = getattr(state, _STATE_FIELD.get(table, table))
    return rows


def compare(from_log: ReplayState, tables: ReplayState) -> Iterator[Difference]:
    """Rule: every row of the governance tables is what the log says, and nothing more.

    Each field of each row is compared; a revision's stored text must also hash to the digest
    its ``revision.added`` entry logged, so an edited text is found even with its digest column.
    """
    for table in _TABLES:
        expected, found = _rows(from_log, table), _rows(tables, table)
        for key in sorted(expected.keys() | found.keys()):
            logged, stored = expected.get(key), found.get(key)
            if logged is None or stored is None:
                record = logged if logged is not None else stored
                yield Difference(table, label(record), None, logged is not None, stored is not None)
                continue
            yield from _compare_fields(table, logged, stored)


def _compare_fields(table: str, logged: Any, stored: Any) -> Iterator[Difference]:
    for field in dataclasses.fields(logged):
        if field.name in logged.KEY or field.name == "text_digest":
            continue
        value, found = getattr(logged, field.name), getattr(stored, field.name)
        if value != found:
            yield Difference(table, label(logged), field.name, value, found)
    if table == "revisions" and stored.text_digest != logged.digest:
        yield Difference(table, label(logged), "text (SHA-256)", logged.digest, stored.text_digest)


def recompute(facts: ClosedBallotFacts) -> Evaluation:
    """Rule (DESIGN §2, §5): a ballot's outcome is its frozen rule applied to its electorate
    and positions when it closed; electors in person id order, as the live evaluation has them.

    Raises RuleDefinitionError when the logged rule cannot be read.
    """
    return evaluate(
        Rule.from_dict(facts.rule),
        [Elector(voter_id=person, organization_id=org) for person, org in facts.electorate],
        facts.positions,
        elapsed=facts.elapsed,
        at_deadline=facts.at_deadline,
    )


def check_outcomes(from_log: ReplayState) -> Iterator[Difference]:
    """Rule: each closed ballot's outcome, recomputed from the log, is the outcome logged by
    ``ballot.closed`` and by its ``decision.recorded``; and the rule let it close then."""
    decisions: dict[int, DecisionRecord] = {
        d.ballot_id: d for d in from_log.decisions.values() if d.ballot_id is not None
    }
    for ballot_id, facts in sorted(from_log.closed.items()):
        key = f"id={ballot_id}"
        try:
            evaluation = recompute(facts)
        except RuleDefinitionError as error:
            yield Difference(
                "ballots",
                key,
                "rule",
                "a rule it can read",
                f"refused: {error}",
                "recomputing needs",
                "log (ballot.opened)",
            )
            continue
        outcome = evaluation.outcome.value
        if outcome != facts.outcome:
            yield Difference(
                "ballots", key, "outcome", outcome, facts.outcome, RECOMPUTED, "log (ballot.closed)"
            )
        if not evaluation.may_close:
            yield Difference(
                "ballots", key, "may_close", True, False, "log (ballot.closed)", RECOMPUTED
            )
        decision = decisions.get(ballot_id)
        if decision is None:
            yield Difference(
                "decisions",
                f"ballot_id={ballot_id}",
                None,
                True,
                False,
                "log (ballot.closed)",
                "log (decision.recorded)",
            )
        elif decision.outcome != outcome:
            yield Difference(
                "decisions",
                label(decision),
                "outcome",
                outcome,
                decision.outcome,
                RECOMPUTED,
                "log (decision.recorded)",
            )
