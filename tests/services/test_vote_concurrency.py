"""Voters on one ballot do not queue behind each other; only closing or cancelling excludes them.

A vote share-locks its ballot's row and locks only its own elector row; closing, cancelling and
amending lock the ballot's row exclusively, so they wait for votes under way and refuse later
ones. Real threads on PostgreSQL, at the configured isolation (``GOVERNANCE_DB_ISOLATION``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from conftest import POSTGRES_URL
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from testkit.drive import file, open_ballot, take, vote
from testkit.world import World

from governance_engine.errors import BallotNotOpen
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Decision, LogEntry, Vote
from governance_engine.persistence.repositories import ballots as queries
from governance_engine.services import ballots

pytestmark = [
    pytest.mark.skipif(not POSTGRES_URL, reason="row locks are PostgreSQL's (SQLite has none)"),
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]


def _ballot(world: World, text_: str = "# Spec\n") -> int:
    proposal_id = file(world, text=text_)
    take(world, proposal_id, "submit", "wendy")
    return open_ballot(world, proposal_id, "wendy")


def _cast(world: World, ballot_id: int, voter: str, choice: str, at: datetime) -> str:
    def work(session: Session) -> None:
        ballots.cast_vote(
            session, actor=world.actor(voter), at=at, ballot_id=ballot_id, choice=choice
        )

    try:
        world.database.run(work, what=f"{voter}'s vote")
    except BallotNotOpen:
        return "refused"
    return "cast"


def _within_a_second(world: World, work: Callable[[Session], object]) -> None:
    """Run ``work`` in its own unit of work, failing if it waits more than 1 s for a lock."""
    with world.database.transaction() as session:
        session.execute(text("SET LOCAL lock_timeout = '1s'"))
        work(session)


def test_a_vote_under_way_lets_other_voters_in_and_keeps_a_close_out(world: World) -> None:
    ballot_id = _ballot(world)
    at = world.clock.now()
    will, wren = world.person_ids["will"], world.person_ids["wren"]
    with world.database.transaction() as voting:
        assert queries.lock_for_vote(voting, ballot_id) is not None  # a vote under way
        with world.database.transaction() as other:
            other.execute(text("SET LOCAL lock_timeout = '2s'"))
            assert queries.lock_for_vote(other, ballot_id) is not None  # no wait
            assert queries.elector_for_vote(other, ballot_id, will) is not None
            queries.record_vote(
                other,
                ballot_id=ballot_id,
                voter_id=will,
                entered_by_id=will,
                choice="yes",
                rationale="",
                at=at,
                standing=None,
            )
        with pytest.raises(OperationalError, match="lock timeout"):
            _within_a_second(world, lambda s: ballots.get_ballot(s, ballot_id, for_update=True))
        assert queries.elector_for_vote(voting, ballot_id, wren) is not None
    with world.database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Vote)) == 1


def test_a_second_vote_of_the_same_voter_waits_for_the_first(world: World) -> None:
    ballot_id = _ballot(world)
    will = world.person_ids["will"]
    with world.database.transaction() as first:
        queries.lock_for_vote(first, ballot_id)
        queries.elector_for_vote(first, ballot_id, will)
        with pytest.raises(OperationalError, match="lock timeout"):
            _within_a_second(world, lambda s: queries.elector_for_vote(s, ballot_id, will))


def test_every_voter_at_once_all_succeed(world: World) -> None:
    voters = ["wendy", "wes", "will", "wren", "wade"]
    ballot_ids = [_ballot(world, f"# Spec {n}\n") for n in range(3)]
    at = world.clock.now() + timedelta(minutes=1)
    barrier = threading.Barrier(len(voters))

    def vote_on_each(voter: str) -> list[str]:
        barrier.wait()
        return [_cast(world, ballot_id, voter, "yes", at) for ballot_id in ballot_ids]

    with ThreadPoolExecutor(max_workers=len(voters)) as pool:
        results = list(pool.map(vote_on_each, voters))
    assert results == [["cast"] * len(ballot_ids)] * len(voters)
    with world.database.reader() as session:
        for ballot_id in ballot_ids:
            ballot = ballots.get_ballot(session, ballot_id)
            assert ballot.current_version == 1 + len(voters)  # one step per vote, none lost
            stored = session.scalar(select(func.count()).where(Vote.ballot_id == ballot_id))
            assert stored == len(voters)
        assert log_writer.verify(session).ok


def _close_racing(world: World, ballot_id: int, late: list[str]) -> list[str]:
    """The chair closes while ``late`` voters vote, all released at once; how each vote went."""
    at = world.clock.now()
    barrier = threading.Barrier(len(late) + 1)

    def close() -> None:
        barrier.wait()

        def work(session: Session) -> None:
            ballots.close_ballot(
                session,
                actor=world.actor("wendy"),
                at=at,
                catalog=world.catalog,
                ballot_id=ballot_id,
            )

        world.database.run(work, what="closing")

    def late_vote(voter: str) -> str:
        barrier.wait()
        return _cast(world, ballot_id, voter, "no", at)

    with ThreadPoolExecutor(max_workers=len(late) + 1) as pool:
        closing = pool.submit(close)
        votes = [pool.submit(late_vote, voter) for voter in late]
        closing.result()
        return [future.result() for future in votes]


def test_a_close_racing_votes_leaves_a_consistent_tally(world: World) -> None:
    for round_ in range(4):
        ballot_id = _ballot(world, f"# Spec {round_}\n")
        for voter in ("wendy", "will", "wren"):
            vote(world, ballot_id, voter, "yes")  # enough for the rule to let it close
        outcomes = _close_racing(world, ballot_id, ["wes", "wade"])
        with world.database.reader() as session:
            stored = session.scalar(select(func.count()).where(Vote.ballot_id == ballot_id))
            decision = session.scalars(
                select(Decision).where(Decision.ballot_id == ballot_id)
            ).one()
            actions = list(
                session.scalars(
                    select(LogEntry.action)
                    .where(LogEntry.subject_type == "ballot", LogEntry.subject_id == str(ballot_id))
                    .order_by(LogEntry.seq)
                )
            )
        assert stored == 3 + outcomes.count("cast")  # a refused vote left nothing
        assert sum(decision.tally["counts"].values()) == stored  # the tally saw every vote
        assert actions.count("vote.cast") == stored
        assert actions[-1] == "ballot.closed"  # no vote after the close
