"""``log replay`` on a real history: the tables match the log, and each tampered row is named."""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from sqlalchemy import select, text
from testkit.drive import act, close, file, open_ballot, revise, run_tick, state_of, take, vote
from testkit.world import World, build_world

from governance_engine.clock import FrozenClock
from governance_engine.errors import Conflict
from governance_engine.log.replay import (
    Replayer,
    ReplayState,
)
from governance_engine.log.replay_records import (
    ClosedBallotFacts,
    DecisionRecord,
    Difference,
    text_digest,
)
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Ballot, BallotElector, Decision, Revision, Vote
from governance_engine.persistence.repositories import directory as directory_queries
from governance_engine.services import ballots, demo, directory, proposals, replay
from governance_engine.services.replay import ReplayReport
from governance_engine.services.workflows import WorkflowCatalog
from governance_engine.voting import Rule, presets

OFFICERS = {"sponsor": ("wendy", "wes"), "toc": ("tara", "tina"), "board": ("bob", "bea")}
CHOICES = ("yes", "yes", "yes", "no", "abstain")  # a lean towards passing, so proposals travel


@dataclass
class History:
    proposals: list[int] = field(default_factory=list)
    closed_ballots: list[int] = field(default_factory=list)
    cancelled_ballots: list[int] = field(default_factory=list)
    without_removed: int = 0  # a ballot that passed only because a removed elector's vote left
    proxy_votes: int = 0
    changed_votes: int = 0


def report_of(world: World) -> ReplayReport:
    with world.database.reader() as session:
        return replay.replay(session)


def tamper(world: World, statement: str, **values: object) -> None:
    with world.database.transaction() as session:
        assert session.execute(text(statement), values).rowcount == 1  # type: ignore[attr-defined]


def _names(world: World) -> dict[int, str]:
    return {person_id: name for name, person_id in world.person_ids.items()}


def _stage(world: World, proposal_id: int) -> tuple[str, str | None, bool]:
    """(state, the body that votes in it or None, whether the walk ends here)."""
    with world.database.reader() as session:
        proposal = proposals.get_proposal(session, proposal_id)
        machine = world.catalog.machine(session, proposal.workflow_name, proposal.workflow_version)
        state = machine.definition.states[proposal.state]
    body = state.ballot.body if state.ballot is not None else None
    return state.name, body, state.terminal or state.approved


def _electorate(world: World, ballot_id: int) -> list[int]:
    with world.database.reader() as session:
        statement = select(BallotElector.person_id).where(
            BallotElector.ballot_id == ballot_id, BallotElector.removed_at.is_(None)
        )
        return sorted(session.scalars(statement))


def _rule_choices(world: World, ballot_id: int) -> tuple[str, ...]:
    with world.database.reader() as session:
        return ballots.frozen_rule(ballots.get_ballot(session, ballot_id)).choices


def _hold_ballot(
    world: World, rng: random.Random, history: History, ballot_id: int, body: str
) -> None:
    """Everyone (or nearly) votes, some by proxy; a few change their mind; then it closes."""
    chair, secretary = OFFICERS[body]
    names = _names(world)
    offered = _rule_choices(world, ballot_id)
    choices = [c for c in CHOICES if c in offered] if "no" in offered else []
    electorate = _electorate(world, ballot_id)
    voted = []
    for person_id in electorate:
        if not choices or rng.random() < 0.15:
            continue
        choice = rng.choice(choices)
        voted.append(person_id)
        if names[person_id] != secretary and rng.random() < 0.25:
            vote(world, ballot_id, secretary, choice, on_behalf_of=person_id)
            history.proxy_votes += 1
        else:
            vote(world, ballot_id, names[person_id], choice, rationale=f"{choice}, on reflection")
    for person_id in rng.sample(voted, min(2, len(voted))):  # second thoughts
        vote(world, ballot_id, names[person_id], rng.choice(choices), rationale="changed")
        history.changed_votes += 1
    try:
        if rng.random() < 0.4:
            close(world, ballot_id, chair)
            history.closed_ballots.append(ballot_id)
            return
    except Conflict:
        pass  # the rule does not let it close yet: the deadline will
    with world.database.reader() as session:
        deadline = ballots.get_ballot(session, ballot_id).deadline
    world.clock.advance(deadline - world.clock.now())
    assert run_tick(world).closed == [ballot_id]
    history.closed_ballots.append(ballot_id)


def walk(world: World, rng: random.Random, history: History, proposal_id: int) -> None:
    """Move a proposal on as its chairs and voters would until it settles (or 12 steps)."""
    for step in range(12):
        state, body, done = _stage(world, proposal_id)
        if done:
            return
        if body is not None:
            ballot_id = open_ballot(world, proposal_id, OFFICERS[body][0])
            _hold_ballot(world, rng, history, ballot_id, body)
        elif state == "draft":
            take(world, proposal_id, "submit", "wendy")
        elif state == "returned":
            revise(world, proposal_id, "wendy", text=f"# Revised\n\nround {step}\n")
            take(world, proposal_id, "resubmit", "wendy")
        else:
            return


def amend(world: World, ballot_id: int, reason: str, **change: list[int]) -> None:
    act(
        world,
        lambda s: ballots.amend_electorate(
            s,
            actor=world.actor("wendy"),
            at=world.clock.now(),
            ballot_id=ballot_id,
            reason=reason,
            **change,
        ),
    )


def cancel(world: World, ballot_id: int) -> None:
    act(
        world,
        lambda s: ballots.cancel_ballot(
            s,
            actor=world.actor("wendy"),
            at=world.clock.now(),
            ballot_id=ballot_id,
            reason="wrong revision on the ballot",
        ),
    )


def build_history(world: World, seed: int = 2026) -> History:
    """A deterministic history through the services: every kind of proposal and ballot event."""
    rng = random.Random(seed)
    history = History()
    for kind in ("standard", "project", "guideline", "standard"):
        proposal_id = file(world, kind=kind, title=f"A {kind}", text=f"# {kind}\n\nfirst text\n")
        history.proposals.append(proposal_id)
        walk(world, rng, history, proposal_id)

    # Amendments and a cancel: remove an elector after they voted, bring another in, remove and
    # reinstate, cancel; then revise and vote again, one voter removed before tick closes it.
    proposal_id = file(world, title="Amended electorate", text="# Draft\n")
    history.proposals.append(proposal_id)
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "no", rationale="not ready")
    vote(world, ballot_id, "wes", "yes", on_behalf_of=world.person_ids["wren"])
    amend(world, ballot_id, "term ended", remove=[world.person_ids["will"]])
    olive = world.person_ids["olive"]
    with world.database.transaction() as session:
        body = directory_queries.body_by_slug(session, "wg-trust-validation")
        assert body is not None
        [seat] = directory_queries.active_seats(
            session, at=world.clock.now(), person_id=olive, body_id=body.id
        )
        directory.end_seat(
            session,
            actor=world.admin,
            at=world.clock.now(),
            seat_id=seat.id,
            reason="elected a member",
        )
        directory.grant_seat_on(
            session,
            actor=world.admin,
            at=world.clock.now(),
            slug="wg-trust-validation",
            person_id=olive,
            role="member",
        )
    world.tick()
    amend(world, ballot_id, "new member", add=[olive])
    vote(world, ballot_id, "olive", "yes")
    amend(world, ballot_id, "term ended after all", remove=[olive])
    amend(world, ballot_id, "reinstated", add=[olive, world.person_ids["will"]])
    cancel(world, ballot_id)
    history.cancelled_ballots.append(ballot_id)
    take(world, proposal_id, "wg_return", "wendy")
    revise(world, proposal_id, "wendy", text="# Draft\n\nsecond text\n")
    take(world, proposal_id, "resubmit", "wendy")
    # Wade's "no" is withdrawn with his seat: 2 yes to 1 passes, where 2 to 2 would have failed.
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for name, choice in [("wendy", "yes"), ("wes", "yes"), ("will", "no"), ("wade", "no")]:
        vote(world, ballot_id, name, choice, rationale="as I see it")
    vote(world, ballot_id, "wren", "abstain")
    vote(world, ballot_id, "olive", "abstain")
    amend(world, ballot_id, "seat ended", remove=[world.person_ids["wade"]])
    assert run_tick(world).closed == [ballot_id]  # settled, and the rule closes early
    history.closed_ballots.append(ballot_id)
    history.without_removed = ballot_id
    walk(world, rng, history, proposal_id)

    # A withdrawal with a ballot open: the ballot is cancelled with it.
    proposal_id = file(world, kind="guideline", title="Withdrawn", text="# Guide\n")
    history.proposals.append(proposal_id)
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "wade", "yes")
    take(world, proposal_id, "withdraw", "wendy", reason="merged into another guideline")
    history.cancelled_ballots.append(ballot_id)
    return history


BACKENDS = ["sqlite", *(["postgresql"] if os.environ.get("GOVERNANCE_TEST_POSTGRES_URL") else [])]


@dataclass(frozen=True)
class Recorded:
    """The history, built once per backend and kept as a database each test gets a copy of."""

    world: World
    history: History
    source: str  # the SQLite file, or the PostgreSQL database to use as a template


@pytest.fixture(scope="module", params=BACKENDS)
def recorded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Recorded]:
    server: Any = None
    if request.param == "sqlite":
        source = str(tmp_path_factory.mktemp("replay") / "history.db")
        shutil.copyfile(request.getfixturevalue("sqlite_template"), source)
        url = f"sqlite:///{source}"
    else:
        server = request.getfixturevalue("postgres_server")
        source = f"ge_replay_{uuid.uuid4().hex[:12]}"
        url = server.create(source, template=request.getfixturevalue("postgres_template"))
    database = Database(url)
    try:
        world = build_world(database)
        history = build_history(world)
    finally:
        database.dispose()  # a template database must have no open connections
    yield Recorded(world, history, source)
    if server is not None:
        server.drop(source)


@pytest.fixture
def copied(recorded: Recorded, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A fresh copy of the recorded history's database, for one test to tamper with."""
    server: Any = None
    if recorded.source.endswith(".db"):
        shutil.copyfile(recorded.source, tmp_path / "history.db")
        url = f"sqlite:///{tmp_path / 'history.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        name = f"ge_replay_{uuid.uuid4().hex[:12]}"
        url = server.create(name, template=recorded.source)
    world = dataclasses.replace(
        recorded.world, database=Database(url), clock=FrozenClock(recorded.world.clock.now())
    )
    yield world
    world.database.dispose()
    if server is not None:
        server.drop(name)


def test_a_varied_history_replays_clean(copied: World, recorded: Recorded) -> None:
    world, history = copied, recorded.history
    report = report_of(world)
    assert report.ok, "\n".join(report.lines())
    assert report.lines() == []
    # the history did what it says
    assert len(history.proposals) == 6
    assert history.proxy_votes > 0
    assert history.changed_votes > 0
    assert len(history.cancelled_ballots) == 2
    assert report.recomputed == len(history.closed_ballots) >= 6
    with world.database.reader() as session:
        kinds = {proposals.get_proposal(session, pid).kind for pid in history.proposals}
        assert report.rows["votes"] == len(session.scalars(select(Vote)).all())
        assert report.rows["decisions"] == len(session.scalars(select(Decision)).all())
    assert kinds == {"standard", "project", "guideline"}
    assert state_of(world, history.proposals[-1]) == "withdrawn"
    with world.database.reader() as session:
        assert ballots.get_ballot(session, history.without_removed).outcome == "passed"
    assert report.summary().startswith("replay clean: the tables match the log")


def _first_closed(world: World, history: History) -> Ballot:
    with world.database.reader() as session:
        return ballots.get_ballot(session, history.closed_ballots[0])


def _a_vote(world: World, history: History) -> Vote:
    with world.database.reader() as session:
        statement = select(Vote).where(Vote.ballot_id.in_(history.closed_ballots))
        return session.scalars(statement.order_by(Vote.id)).first()  # type: ignore[return-value]


def _tamper_proposal_state(world: World, history: History) -> Difference:
    proposal_id = history.proposals[0]
    state = state_of(world, proposal_id)
    tamper(world, "UPDATE proposals SET state = 'withdrawn' WHERE id = :id", id=proposal_id)
    return Difference("proposals", f"id={proposal_id}", "state", state, "withdrawn")


def _tamper_vote_choice(world: World, history: History) -> Difference:
    vote = _a_vote(world, history)
    other = "no" if vote.choice == "yes" else "yes"
    tamper(world, "UPDATE votes SET choice = :c WHERE id = :id", c=other, id=vote.id)
    key = f"ballot_id={vote.ballot_id} voter_id={vote.voter_id}"
    return Difference("votes", key, "choice", vote.choice, other)


def _delete_vote(world: World, history: History) -> Difference:
    vote = _a_vote(world, history)
    tamper(world, "DELETE FROM votes WHERE id = :id", id=vote.id)
    return Difference(
        "votes", f"ballot_id={vote.ballot_id} voter_id={vote.voter_id}", None, True, False
    )


def _tamper_ballot_outcome(world: World, history: History) -> Difference:
    ballot = _first_closed(world, history)
    other = "failed" if ballot.outcome == "passed" else "passed"
    tamper(world, "UPDATE ballots SET outcome = :o WHERE id = :id", o=other, id=ballot.id)
    return Difference("ballots", f"id={ballot.id}", "outcome", ballot.outcome, other)


def _tamper_decision_outcome(world: World, history: History) -> Difference:
    with world.database.reader() as session:
        decision = session.scalars(select(Decision).order_by(Decision.id.desc())).first()
    assert decision is not None
    tamper(world, "UPDATE decisions SET outcome = 'passed' WHERE id = :id", id=decision.id)
    return Difference(
        "decisions", f"number={decision.number}", "outcome", decision.outcome, "passed"
    )


def _tamper_revision_text(world: World, history: History) -> Difference:
    with world.database.reader() as session:
        revision = session.scalars(select(Revision).order_by(Revision.id)).first()
    assert revision is not None
    edited = revision.text + "\nOne more sentence nobody voted on.\n"
    tamper(world, "UPDATE revisions SET text = :t WHERE id = :id", t=edited, id=revision.id)
    key = f"proposal_id={revision.proposal_id} number={revision.number}"
    return Difference("revisions", key, "text (SHA-256)", revision.digest, text_digest(edited))


@pytest.mark.parametrize(
    "tampering",
    [
        _tamper_proposal_state,
        _tamper_vote_choice,
        _delete_vote,
        _tamper_ballot_outcome,
        _tamper_decision_outcome,
        _tamper_revision_text,
    ],
    ids=lambda f: f.__name__.lstrip("_"),
)
def test_a_tampered_row_is_reported_exactly(
    copied: World, recorded: Recorded, tampering: Callable[[World, History], Difference]
) -> None:
    expected = tampering(copied, recorded.history)
    report = report_of(copied)
    assert report.differences == (expected,)
    assert report.lines() == [expected.describe()]
    assert report.summary().startswith("replay found 1 difference (")


def test_difference_lines_name_table_key_field_and_both_values() -> None:
    changed = Difference("votes", "ballot_id=3 voter_id=9", "choice", "yes", "no")
    assert changed.describe() == "votes[ballot_id=3 voter_id=9] choice: log 'yes', table 'no'"
    lost = Difference("votes", "ballot_id=3 voter_id=9", None, True, False)
    assert lost.describe() == "votes[ballot_id=3 voter_id=9]: in the log, missing from the table"
    extra = Difference("decisions", "number=TOC-2026-009", None, False, True)
    assert extra.describe() == "decisions[number=TOC-2026-009]: in the table, missing from the log"


def test_a_row_with_no_log_entry_is_reported(world: World) -> None:
    proposal_id = file(world, text="# Spec\n")
    with world.database.transaction() as session:
        session.execute(
            text(
                "INSERT INTO revisions (proposal_id, number, text, digest, note, created_by_id,"
                " created_at) SELECT proposal_id, 2, text, digest, note, created_by_id, created_at"
                " FROM revisions WHERE proposal_id = :id"
            ),
            {"id": proposal_id},
        )
    report = report_of(world)
    assert report.lines() == [
        f"revisions[proposal_id={proposal_id} number=2]: in the table, missing from the log"
    ]


# -- recompute: the frozen rule decides a past ballot, whatever the presets say now ----------


def _unanimity() -> MappingProxyType[str, Rule]:
    """The presets, with "simple-majority" redefined to need every vote cast."""
    unanimous = dataclasses.replace(
        presets.PRESETS["simple-majority"], threshold=Fraction(1), threshold_strict=False
    )
    return MappingProxyType({**presets.PRESETS, "simple-majority": unanimous})


def test_recompute_uses_the_frozen_rule_not_todays_preset(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for voter, choice in [("wendy", "yes"), ("wes", "yes"), ("will", "yes"), ("wren", "no")]:
        vote(world, ballot_id, voter, choice, rationale="my view")
    assert close(world, ballot_id, "wendy").ballot.outcome == "passed"  # 3 of 4 cast

    # Today the alliance decides that "simple-majority" means unanimity, and reloads workflows.
    monkeypatch.setattr(presets, "PRESETS", _unanimity())
    catalog = WorkflowCatalog.bundled()
    stage = catalog.for_kind("standard").definition.states["wg_review"].ballot
    assert stage is not None
    assert stage.rule.threshold == 1

    with world.database.reader() as session:
        report = replay.replay(session)
    assert report.ok, report.lines()
    assert report.recomputed == 1

    # The past ballot's facts under today's rule would fail; under its frozen rule it passed.
    replayer = Replayer()
    with world.database.reader() as session:
        for entry in log_writer.iter_entries(session):
            replayer.apply(log_writer.to_stored(entry).content)
    facts = replayer.state.closed[ballot_id]
    assert replay.recompute(facts).outcome == "passed"
    todays = replay.recompute(dataclasses.replace(facts, rule=stage.rule.to_dict()))
    assert todays.outcome == "failed"

    # A wrong recorded outcome in the tables is reported against the log.
    tamper(world, "UPDATE ballots SET outcome = 'failed' WHERE id = :id", id=ballot_id)
    tamper(world, "UPDATE decisions SET outcome = 'failed' WHERE ballot_id = :id", id=ballot_id)
    lines = report_of(world).lines()
    assert f"ballots[id={ballot_id}] outcome: log 'passed', table 'failed'" in lines
    assert len(lines) == 2
    [decision_line] = [line for line in lines if line.startswith("decisions[")]
    assert decision_line.endswith("outcome: log 'passed', table 'failed'")


def test_demo_replays_clean(database: Database) -> None:
    now = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    with database.transaction() as session:
        demo.seed_demo(session, now=now, catalog=WorkflowCatalog.bundled())
    with database.reader() as session:
        report = replay.replay(session)
    assert report.ok, "\n".join(report.lines())
    assert report.recomputed > 0


# -- check_outcomes on hand-built facts (no database) ---------------------------------------

SIMPLE_MAJORITY = presets.PRESETS["simple-majority"].to_dict()


def _facts(outcome: str, **change: Any) -> ClosedBallotFacts:
    base: dict[str, Any] = {
        "ballot_id": 7,
        "rule": SIMPLE_MAJORITY,
        "electorate": ((1, 10), (2, 20), (3, 30), (4, 40)),
        "positions": {1: "yes", 2: "yes", 3: "no"},
        "elapsed": timedelta(days=7),
        "at_deadline": True,
        "outcome": outcome,
        "tally": {},
    }
    return ClosedBallotFacts(**{**base, **change})


def _decision(outcome: str) -> DecisionRecord:
    at = datetime(2026, 3, 9, tzinfo=UTC)
    return DecisionRecord("WG-X-2026-001", "ballot", outcome, 7, None, 1, 3, "", at, {}, None)


@pytest.mark.parametrize(
    ("facts", "decision", "lines"),  # each line as it starts
    [
        pytest.param(_facts("passed"), _decision("passed"), [], id="agrees"),
        pytest.param(
            _facts("failed"),
            _decision("failed"),
            [
                "ballots[id=7] outcome: recomputed from the frozen rule 'passed', "
                "log (ballot.closed) 'failed'",
                "decisions[number=WG-X-2026-001] outcome: recomputed from the frozen rule "
                "'passed', log (decision.recorded) 'failed'",
            ],
            id="logged-outcome-wrong",
        ),
        pytest.param(
            _facts("passed"),
            None,
            [
                "decisions[ballot_id=7]: in the log (ballot.closed), missing from the log "
                "(decision.recorded)"
            ],
            id="no-decision",
        ),
        pytest.param(
            # 2 yes, 1 no of 4 is not settled a day in: the rule did not let it close yet
            _facts("passed", elapsed=timedelta(days=1), at_deadline=False),
            _decision("passed"),
            [
                "ballots[id=7] may_close: log (ballot.closed) True, recomputed from the frozen "
                "rule False"
            ],
            id="closed-too-early",
        ),
        pytest.param(
            # a removed elector's position is not in the facts: 1 yes, 1 no fails
            _facts("failed", positions={1: "yes", 3: "no"}, electorate=((1, 10), (3, 30))),
            _decision("failed"),
            [],
            id="electorate-as-of-close",
        ),
        pytest.param(
            _facts("passed", rule={**SIMPLE_MAJORITY, "threshold": "2/1"}),
            _decision("passed"),
            [
                "ballots[id=7] rule: recomputing needs 'a rule it can read', "
                'log (ballot.opened) "refused: threshold: must be between 0 and 1'
            ],
            id="unreadable-rule",
        ),
    ],
)
def test_check_outcomes(
    facts: ClosedBallotFacts, decision: DecisionRecord | None, lines: list[str]
) -> None:
    state = ReplayState(closed={7: facts})
    if decision is not None:
        state.decisions[decision.number] = decision
    found = [difference.describe() for difference in replay.check_outcomes(state)]
    assert len(found) == len(lines), found
    for line, start in zip(found, lines, strict=True):
        assert line.startswith(start)
