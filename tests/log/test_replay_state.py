"""The whole state a long, untidy log folds into, compared field by field with a reviewed copy.

The log below goes beyond the happy path of ``test_replay.py``: a proposal filed without
summary or authors, a revision and a ballot the system added (their author is the filer), a
secret ballot with no rule, a vote by a stranger, electors added with their logged
organization, a ballot closed at its deadline, one cancelled, decisions of a transition and of
unknown or repeated ballots, and entries naming rows that do not exist. ``replay_state.json``
holds every record and every problem the fold must give, instants in the log's UTC form.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from governance_engine.log import format_timestamp
from governance_engine.log.replay import ReplayState

HERE = Path(__file__).parent
# The shared history and its helpers live in test_replay.py.
_spec = importlib.util.spec_from_file_location("_replay_history", HERE / "test_replay.py")
assert _spec is not None
assert _spec.loader is not None
history = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(history)
ALICE, BOB, CAROL, DAVE = history.ALICE, history.BOB, history.CAROL, history.DAVE


def untidy_log() -> Any:
    log = history.closed_history()
    add = log.add
    add(
        "proposal.filed",
        2,
        actor=BOB,
        proposal_id=2,
        kind="guideline",
        title="Cards",
        workflow="guideline",
        workflow_version=2,
        state="draft",
    )
    add("revision.added", 2, actor=None, proposal_id=2, number=1, digest="d1")
    add("revision.added", 2, actor=CAROL, proposal_id=2, number=2, digest="d2", note="typo")
    deadline = format_timestamp(log.at(len(log.entries) + 2))  # closed exactly then
    add(
        "ballot.opened",
        8,
        actor=None,
        proposal_id=2,
        stage="review",
        digest="d2",
        deadline=deadline,
        electorate=[{"person_id": BOB}],
        secret=True,
    )
    add("vote.cast", 8, actor=DAVE, proposal_id=2, voter_id=DAVE, choice="yes")
    add("ballot.closed", 8, actor=BOB, proposal_id=2, outcome="failed")
    add(
        "ballot.opened",
        9,
        actor=ALICE,
        proposal_id=2,
        stage="review",
        digest="d2",
        rule={"name": "x"},
        deadline=format_timestamp(log.at(40)),
        electorate=[],
    )
    add(
        "ballot.electorate_amended",
        9,
        proposal_id=2,
        added=[DAVE, CAROL],
        removed=[ALICE],
        organizations={str(DAVE): 9},
    )
    add(
        "vote.cast",
        9,
        actor=BOB,
        proposal_id=2,
        voter_id=DAVE,
        choice="no",
        rationale="why",
        entered_by=BOB,
    )
    add(
        "vote.changed",
        9,
        actor=DAVE,
        proposal_id=2,
        voter_id=DAVE,
        choice="yes",
        previous={"choice": "no", "rationale": "why"},
    )
    add(
        "vote.changed",
        9,
        actor=DAVE,
        proposal_id=2,
        voter_id=DAVE,
        choice="no",
        previous={"choice": "no", "rationale": ""},
    )
    add("ballot.cancelled", 9, actor=CAROL, proposal_id=2, reason="withdrawn")
    add(
        "decision.recorded",
        "G-1",
        actor=None,
        proposal_id=2,
        kind="transition",
        outcome="withdrawn",
    )
    add("decision.recorded", "G-1", actor=None, proposal_id=2, kind="transition", outcome="again")
    add(
        "decision.recorded",
        "X",
        actor=None,
        proposal_id=2,
        number="G-2",
        kind="ballot",
        outcome="passed",
        ballot_id=99,
    )
    add(
        "decision.recorded",
        "Y",
        actor=None,
        proposal_id=2,
        number="G-3",
        kind="ballot",
        outcome="failed",
        ballot_id=8,
        digest="d2",
        summary="no",
    )
    add(
        "proposal.filed",
        1,
        kind="standard",
        title="again",
        workflow="standard",
        workflow_version=1,
        state="draft",
    )
    add("revision.added", 5, proposal_id=5, number=1, digest="x")
    add("ballot.opened", 10, proposal_id=None, stage="x", digest="x", deadline="x")
    add("ballot.cancelled", 11, proposal_id=2)
    add("proposal.transitioned", 1, proposal_id=None, to="x")
    add("vote.changed", 9, actor=DAVE, proposal_id=2, voter_id=ALICE, choice="yes", previous=None)
    add(
        "proposal.filed",
        3,
        actor=ALICE,
        proposal_id=3,
        kind="project",
        title="Kit",
        summary="A kit",
        authors=[DAVE, BOB],
        workflow="project",
        workflow_version=1,
        state="draft",
    )
    add(
        "ballot.opened",
        12,
        actor=CAROL,
        proposal_id=3,
        stage="review",
        revision=1,
        digest="d3",
        rule={"name": "y"},
        secret=True,
        deadline=format_timestamp(log.at(60)),
        electorate=[{"person_id": ALICE, "organization_id": 1}],
    )
    add(
        "proposal.filed",
        4,
        actor=None,
        proposal_id=4,
        kind="guideline",
        title="Alone",
        summary="Never touched",
        workflow="guideline",
        workflow_version=1,
        state="draft",
    )
    add("webhook.created", 1, proposal_id=None)
    add("proposal.archived", 1)
    return log  # fmt: skip


def plain(value: Any) -> Any:
    """A replay state as JSON: records as objects, keys as text, instants in UTC form."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def test_the_untidy_log_folds_into_the_reviewed_state() -> None:
    state: ReplayState = untidy_log().fold()
    expected = json.loads((HERE / "replay_state.json").read_text(encoding="utf-8"))
    got = {**plain(state), "problem_lines": [p.describe() for p in state.problems]}
    assert list(got) == list(expected)
    for part in expected:
        assert got[part] == expected[part], part


def test_a_decision_copies_its_ballots_tally_and_rule() -> None:
    state = untidy_log().fold()
    facts = state.closed[8]
    decision = state.decisions["G-3"]
    assert (decision.tally, decision.rule) == (dict(facts.tally), dict(facts.rule))
    assert decision.tally is not facts.tally
