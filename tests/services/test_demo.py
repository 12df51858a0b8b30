from __future__ import annotations

import shutil
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select

from governance_engine.clock import FrozenClock
from governance_engine.errors import Conflict
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import (
    Ballot,
    Decision,
    LogEntry,
    Organization,
    Person,
    Proposal,
    Seat,
    Vote,
)
from governance_engine.services import ballots, demo, identity
from governance_engine.services.demo import DemoSeed
from governance_engine.services.demo_data import PEOPLE, File, Story
from governance_engine.services.demo_stories import STORIES
from governance_engine.services.tick import tick
from governance_engine.services.workflows import WorkflowCatalog

NOW = datetime(2026, 11, 20, 14, 30, 15, 250_000, tzinfo=UTC)

EVERY_STATE = {
    ("standard", "published"),
    ("standard", "wg_review"),
    ("standard", "wg_last_call"),
    ("standard", "toc_review"),
    ("standard", "board_ratification"),
    ("standard", "returned"),
    ("project", "draft"),
    ("project", "incubating"),
    ("project", "rejected"),
    ("project", "withdrawn"),
    ("guideline", "published"),
    ("guideline", "returned"),
    ("guideline", "rejected"),
    ("guideline", "deferred"),
}


def seed(database: Database, now: datetime = NOW) -> DemoSeed:
    with database.transaction() as session:
        return demo.seed_demo(session, now=now, catalog=WorkflowCatalog.bundled())


@pytest.fixture
def seeded(database: Database) -> DemoSeed:
    return seed(database)


def test_every_kind_of_proposal_reaches_every_interesting_state(
    database: Database, seeded: DemoSeed
) -> None:
    with database.reader() as session:
        reached = {
            (kind, state) for kind, state in session.execute(select(Proposal.kind, Proposal.state))
        }
        kinds = set(session.scalars(select(Organization.kind)))
        roles = set(session.scalars(select(Seat.role)))
        people = session.scalar(select(func.count()).select_from(Person))
        ended = session.scalar(select(func.count()).where(Seat.term_end.is_not(None)))
    assert reached == EVERY_STATE
    assert seeded.proposals == len(STORIES) == 14
    assert kinds == {"company", "university", "research_institute", "non_profit", "public_agency"}
    assert roles == {"chair", "co_chair", "secretary", "member", "observer"}
    assert people == seeded.people == len(PEOPLE)
    assert ended == 1  # seats are history: one person moved from observer to member
    assert (seeded.organizations, seeded.bodies) == (12, 5)


def test_open_ballots_have_partial_votes_future_deadlines_and_survive_tick(
    database: Database, seeded: DemoSeed
) -> None:
    with database.reader() as session:
        opened = list(session.scalars(select(Ballot).where(Ballot.state == "open")))
        for ballot in opened:
            evaluation = ballots.evaluate_ballot(session, ballot, NOW)
            cast = len(list(session.scalars(select(Vote).where(Vote.ballot_id == ballot.id))))
            assert ballot.deadline > NOW
            assert 0 < cast < evaluation.explanation.electorate, ballot.stage
            # Not settled yet, so `serve`'s periodic tick leaves the demo's open ballots open.
            assert not evaluation.may_close, ballot.stage
    assert {ballot.stage for ballot in opened} == {
        "wg_review",
        "wg_last_call",
        "toc_review",
        "board_ratification",
    }
    assert seeded.open_ballots == len(opened)
    report = tick(database, clock=FrozenClock(NOW), catalog=WorkflowCatalog.bundled())
    assert report.closed == []


def test_closed_ballots_are_decided_and_votes_show_proxies_changes_and_recusal(
    database: Database, seeded: DemoSeed
) -> None:
    with database.reader() as session:
        closed = list(session.scalars(select(Ballot).where(Ballot.state == "closed")))
        decided = set(
            session.scalars(select(Decision.ballot_id).where(Decision.ballot_id.is_not(None)))
        )
        decisions = session.scalar(select(func.count()).select_from(Decision))
        cancelled = session.scalar(select(func.count()).where(Ballot.state == "cancelled"))
        votes = list(session.scalars(select(Vote)))
        actions = set(session.scalars(select(LogEntry.action)))
    assert {ballot.id for ballot in closed} == decided
    assert {ballot.outcome for ballot in closed} == {"passed", "failed", "no_quorum"}
    assert cancelled == 1  # the withdrawn project's ballot went with it
    assert decisions == seeded.decisions
    assert any(vote.entered_by_id != vote.voter_id for vote in votes)  # a proxy
    assert any(vote.changes > 0 for vote in votes)
    assert "vote.changed" in actions
    assert any(vote.choice == "recuse" and vote.rationale for vote in votes)


def test_the_log_verifies_and_reads_as_one_calendar(database: Database, seeded: DemoSeed) -> None:
    with database.reader() as session:
        result = log_writer.verify(session)
        times = list(session.scalars(select(LogEntry.recorded_at).order_by(LogEntry.seq)))
    assert result.ok, result.reason
    assert result.checked == seeded.log_entries
    assert times == sorted(times)
    assert times[-1] <= NOW
    assert (NOW - times[0]).days >= 240  # about eight months of history


def test_one_token_per_role_and_each_authenticates(database: Database, seeded: DemoSeed) -> None:
    assert [token.role for token in seeded.tokens] == [
        "chair",
        "member",
        "secretary",
        "auditor",
        "admin",
    ]
    with database.reader() as session:
        actors = {
            token.role: identity.authenticate(session, token=token.token, at=NOW)
            for token in seeded.tokens
        }
    assert actors["admin"].is_admin
    assert actors["auditor"].is_auditor
    assert not actors["chair"].is_admin


def test_a_second_run_refuses_and_changes_nothing(database: Database, seeded: DemoSeed) -> None:
    with pytest.raises(Conflict, match="already has people; the demo seeds only an empty"):
        seed(database)
    with database.reader() as session:
        assert log_writer.verify(session).checked == seeded.log_entries


def test_a_database_with_an_admin_is_not_empty(database: Database) -> None:
    with database.transaction() as session:
        identity.create_admin(session, at=NOW, name="Ada", email="ada@example.org")
    with database.transaction() as session:
        assert not demo.is_empty(session)
    with pytest.raises(Conflict, match="already has people"):
        seed(database)


def test_the_same_now_gives_the_same_log(sqlite_template: Path, tmp_path: Path) -> None:
    heads = []
    for name in ("one.db", "two.db"):
        shutil.copyfile(sqlite_template, tmp_path / name)
        database = Database(f"sqlite:///{tmp_path / name}")
        try:
            seed(database)
            with database.reader() as session:
                heads.append(log_writer.verify(session).head_hash)
        finally:
            database.dispose()
    assert heads[0] == heads[1]


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.key)
def test_each_story_starts_by_filing_and_runs_forward_to_now(story: Story) -> None:
    assert isinstance(story.steps[0], File)
    days = [step.days_ago for step in story.steps]
    assert all(later < earlier for earlier, later in pairwise(days))
    assert days[-1] >= 0
