from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from testkit.drive import (
    BOARD,
    TOC,
    WG,
    act,
    close,
    file,
    open_ballot,
    pass_ballot,
    revise,
    run_tick,
    state_of,
    take,
    vote,
)
from testkit.world import World

from governance_engine.errors import (
    BallotNotOpen,
    Conflict,
    InvalidInput,
    PermissionDenied,
    ProxyOverruled,
)
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import (
    Ballot,
    BallotElector,
    Decision,
    LogEntry,
    Vote,
)
from governance_engine.services import ballots, directory


def in_review(world: World) -> int:
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    return proposal_id


def electorate(world: World, ballot_id: int) -> set[int]:
    with world.database.reader() as session:
        rows = session.scalars(
            select(BallotElector.person_id).where(
                BallotElector.ballot_id == ballot_id, BallotElector.removed_at.is_(None)
            )
        )
        return set(rows)


def log_of(world: World, action: str) -> list[LogEntry]:
    with world.database.reader() as session:
        statement = select(LogEntry).where(LogEntry.action == action).order_by(LogEntry.seq)
        return list(session.scalars(statement))


def test_opening_freezes_electorate_rule_digest_and_deadline(world: World) -> None:
    proposal_id = in_review(world)
    opened_at = world.clock.now() + timedelta(minutes=1)
    ballot_id = open_ballot(world, proposal_id, "wes")  # the WG secretary may open
    with world.database.reader() as session:
        ballot = ballots.get_ballot(session, ballot_id)
        assert ballot.stage == "wg_review"
        assert ballot.rule["name"] == "simple-majority"
        assert ballot.deadline == opened_at + timedelta(days=7)
        assert len(ballot.digest) == 64
    # voting seats only: the observer is not in it
    assert electorate(world, ballot_id) == {world.person_ids[name] for name in WG}
    # a voting seat granted after opening does not join the frozen electorate
    newcomer = world.person_ids["tara"]
    assert newcomer not in electorate(world, ballot_id)
    with world.database.transaction() as session:
        directory.grant_seat_on(
            session,
            actor=world.admin,
            at=world.clock.now(),
            slug="wg-trust-validation",
            person_id=newcomer,
            role="member",
        )
    assert newcomer not in electorate(world, ballot_id)
    with pytest.raises(PermissionDenied, match="not in the electorate"):
        vote(world, ballot_id, "tara", "yes")
    # ... while the next ballot of that body, opened after the grant, has the new member
    later = open_ballot(world, in_review(world), "wendy")
    assert newcomer in electorate(world, later)


def test_who_may_open_a_ballot(world: World) -> None:
    proposal_id = in_review(world)
    with pytest.raises(PermissionDenied, match="wg-trust-validation"):
        open_ballot(world, proposal_id, "will")
    with pytest.raises(PermissionDenied):
        open_ballot(world, proposal_id, "tara")
    with pytest.raises(PermissionDenied, match="auditor"):
        open_ballot(world, proposal_id, "auditor")
    draft = file(world, text="x")
    with pytest.raises(Conflict, match="calls for no ballot"):
        open_ballot(world, draft, "wendy")
    open_ballot(world, proposal_id, "wendy")
    with pytest.raises(Conflict, match="already open"):
        open_ballot(world, proposal_id, "wendy")


def test_only_the_electorate_votes(world: World) -> None:
    ballot_id = open_ballot(world, in_review(world), "wendy")
    for outsider in ("olive", "tara", "nobody"):
        with pytest.raises(PermissionDenied, match="not in the electorate"):
            vote(world, ballot_id, outsider, "yes")
    with pytest.raises(PermissionDenied, match="auditor"):
        vote(world, ballot_id, "auditor", "yes")
    with pytest.raises(InvalidInput, match="unknown choice 'maybe'"):
        vote(world, ballot_id, "will", "maybe")
    with pytest.raises(InvalidInput, match="rationale is required"):
        vote(world, ballot_id, "will", "recuse")
    vote(world, ballot_id, "will", "recuse", rationale="I co-wrote the text")


def test_changing_a_vote_keeps_the_earlier_position_in_the_log(world: World) -> None:
    ballot_id = open_ballot(world, in_review(world), "wendy")
    vote(world, ballot_id, "will", "no", rationale="not ready")
    changed = vote(world, ballot_id, "will", "yes")
    assert (changed.choice, changed.changes) == ("yes", 1)
    with world.database.reader() as session:
        assert len(session.scalars(select(Vote)).all()) == 1
    [cast] = log_of(world, "vote.cast")
    [change] = log_of(world, "vote.changed")
    assert cast.payload["choice"] == "no"
    assert change.payload["previous"] == {"choice": "no", "rationale": "not ready"}
    assert change.payload["choice"] == "yes"


def test_a_vote_is_seen_at_once_by_the_unit_of_work_that_cast_it(world: World) -> None:
    """Votes are written without the ORM; copies the session already holds must not go stale."""
    ballot_id = open_ballot(world, in_review(world), "wendy")
    vote(world, ballot_id, "will", "no")
    with world.database.transaction() as session:
        ballot = ballots.get_ballot(session, ballot_id)
        [earlier] = session.scalars(select(Vote).where(Vote.ballot_id == ballot_id)).all()
        version = ballot.current_version
        for name in ("will", "wren"):  # a change, then a first vote
            actor, at = world.actor(name), world.clock.now()
            ballots.cast_vote(session, actor=actor, at=at, ballot_id=ballot_id, choice="yes")
        assert ballot.current_version == version + 2
        assert (earlier.choice, earlier.changes) == ("yes", 1)
        votes = session.scalars(select(Vote).where(Vote.ballot_id == ballot_id)).all()
        assert sorted(v.voter_id for v in votes) == sorted(
            [world.person_ids["will"], world.person_ids["wren"]]
        )
        evaluation = ballots.evaluate_ballot(session, ballot, world.clock.now())
        assert evaluation.explanation.counts["yes"] == 2


def test_secretary_enters_a_proxy_vote_on_the_record(world: World) -> None:
    ballot_id = open_ballot(world, in_review(world), "wendy")
    proxy = vote(world, ballot_id, "wes", "yes", on_behalf_of=world.person_ids["wade"])
    assert (proxy.voter_id, proxy.entered_by_id) == (
        world.person_ids["wade"],
        world.person_ids["wes"],
    )
    [entry] = log_of(world, "vote.cast")
    assert entry.actor_id == world.person_ids["wes"]
    assert entry.payload["voter_id"] == world.person_ids["wade"]
    with pytest.raises(PermissionDenied, match="only the secretary"):
        vote(world, ballot_id, "will", "yes", on_behalf_of=world.person_ids["wren"])


def test_a_proxy_never_overrules_the_members_own_position(world: World) -> None:
    ballot_id = open_ballot(world, in_review(world), "wendy")
    wade, wes = world.person_ids["wade"], world.person_ids["wes"]
    vote(world, ballot_id, "wade", "no", rationale="needs work")
    with pytest.raises(ProxyOverruled, match="entered their own position"):
        vote(world, ballot_id, "wes", "yes", on_behalf_of=wade)
    changed = vote(world, ballot_id, "wade", "yes")  # the member may still change it
    assert (changed.choice, changed.entered_by_id, changed.changes) == ("yes", wade, 1)
    with pytest.raises(ProxyOverruled):
        vote(world, ballot_id, "wes", "abstain", on_behalf_of=wade)
    with world.database.reader() as session:
        [row] = session.scalars(
            select(Vote).where(Vote.ballot_id == ballot_id, Vote.voter_id == wade)
        )
        assert (row.choice, row.entered_by_id) == ("yes", wade)
    assert [e.actor_id for e in log_of(world, "vote.cast") + log_of(world, "vote.changed")] == [
        wade,
        wade,
    ]
    assert wes not in {e.actor_id for e in log_of(world, "vote.cast")}


def test_the_members_own_vote_replaces_an_earlier_proxy(world: World) -> None:
    ballot_id = open_ballot(world, in_review(world), "wendy")
    wade, wes = world.person_ids["wade"], world.person_ids["wes"]
    vote(world, ballot_id, "wes", "abstain", on_behalf_of=wade)
    vote(world, ballot_id, "wes", "no", rationale="as instructed", on_behalf_of=wade)  # proxy
    own = vote(world, ballot_id, "wade", "yes")
    assert (own.choice, own.entered_by_id, own.changes) == ("yes", wade, 2)
    [cast] = log_of(world, "vote.cast")
    changes = log_of(world, "vote.changed")
    assert (cast.actor_id, cast.payload["choice"]) == (wes, "abstain")
    assert [(e.actor_id, e.payload["choice"]) for e in changes] == [(wes, "no"), (wade, "yes")]
    assert changes[-1].payload["previous"] == {"choice": "no", "rationale": "as instructed"}


def test_ballot_refuses_votes_after_deadline_and_close(world: World) -> None:
    ballot_id = open_ballot(world, in_review(world), "wendy")
    world.clock.advance(timedelta(days=8))
    with pytest.raises(BallotNotOpen, match="deadline"):
        vote(world, ballot_id, "will", "yes")
    report = run_tick(world)
    assert report.closed == [ballot_id]
    with pytest.raises(BallotNotOpen, match="closed"):
        vote(world, ballot_id, "will", "yes")


def test_chair_cannot_close_before_the_rule_allows(world: World) -> None:
    ballot_id = open_ballot(world, in_review(world), "wendy")
    vote(world, ballot_id, "will", "yes")
    with pytest.raises(Conflict, match="cannot close yet"):
        close(world, ballot_id, "wendy")
    with pytest.raises(PermissionDenied):
        close(world, ballot_id, "will")


def test_closing_records_a_decision_and_fires_the_outcome(world: World) -> None:
    proposal_id = in_review(world)
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for voter in ("wendy", "will", "wren"):
        vote(world, ballot_id, voter, "yes")
    closed = close(world, ballot_id, "wendy")  # 3 of 5 yes: settled, closes early
    assert closed.ballot.outcome == "passed"
    assert closed.action == "start_last_call"
    assert closed.decision.number == "WG-TRUST-VALIDATION-2026-001"
    assert closed.decision.tally["counts"]["yes"] == 3
    assert state_of(world, proposal_id) == "wg_last_call"
    with world.database.reader() as session:
        assert log_writer.verify(session).ok


def test_failed_ballot_returns_the_proposal(world: World) -> None:
    proposal_id = in_review(world)
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for voter in ("wendy", "will", "wren"):
        vote(world, ballot_id, voter, "no")
    run_tick(world)
    assert state_of(world, proposal_id) == "returned"


def test_no_quorum_at_the_deadline(world: World) -> None:
    proposal_id = in_review(world)
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "yes")  # 1 of 5 take part; quorum is half
    world.clock.advance(timedelta(days=7))
    assert run_tick(world).closed == [ballot_id]
    with world.database.reader() as session:
        assert ballots.get_ballot(session, ballot_id).outcome == "no_quorum"
    assert state_of(world, proposal_id) == "returned"


def test_tick_is_idempotent(world: World) -> None:
    ballot_id = open_ballot(world, in_review(world), "wendy")
    assert run_tick(world).closed == []
    world.clock.advance(timedelta(days=7))
    assert run_tick(world).closed == [ballot_id]
    assert run_tick(world).closed == []
    with world.database.reader() as session:
        assert len(session.scalars(select(Decision)).all()) == 1


def test_amending_the_electorate(world: World) -> None:
    ballot_id = open_ballot(world, in_review(world), "wendy")
    will = world.person_ids["will"]
    with pytest.raises(InvalidInput, match="reason"):
        act(
            world,
            lambda s: ballots.amend_electorate(
                s,
                actor=world.actor("wendy"),
                at=world.clock.now(),
                ballot_id=ballot_id,
                reason="",
                remove=[will],
            ),
        )
    with pytest.raises(PermissionDenied):
        act(
            world,
            lambda s: ballots.amend_electorate(
                s,
                actor=world.actor("wes"),
                at=world.clock.now(),
                ballot_id=ballot_id,
                reason="seat ended",
                remove=[will],
            ),
        )
    act(
        world,
        lambda s: ballots.amend_electorate(
            s,
            actor=world.actor("wendy"),
            at=world.clock.now(),
            ballot_id=ballot_id,
            reason="term ended",
            remove=[will],
        ),
    )
    assert will not in electorate(world, ballot_id)
    with pytest.raises(PermissionDenied, match="not in the electorate"):
        vote(world, ballot_id, "will", "yes")
    with pytest.raises(InvalidInput, match="holds no voting seat"):
        act(
            world,
            lambda s: ballots.amend_electorate(
                s,
                actor=world.actor("wendy"),
                at=world.clock.now(),
                ballot_id=ballot_id,
                reason="joined",
                add=[world.person_ids["olive"]],
            ),
        )
    [entry] = log_of(world, "ballot.electorate_amended")
    assert entry.payload == {
        "added": [],
        "organizations": {},
        "removed": [will],
        "reason": "term ended",
    }


def test_cancel_and_withdraw_during_a_ballot(world: World) -> None:
    proposal_id = in_review(world)
    ballot_id = open_ballot(world, proposal_id, "wendy")
    with pytest.raises(InvalidInput, match="reason"):
        act(
            world,
            lambda s: ballots.cancel_ballot(
                s,
                actor=world.actor("wendy"),
                at=world.clock.now(),
                ballot_id=ballot_id,
                reason=" ",
            ),
        )
    act(
        world,
        lambda s: ballots.cancel_ballot(
            s,
            actor=world.actor("wendy"),
            at=world.clock.now(),
            ballot_id=ballot_id,
            reason="wrong revision",
        ),
    )
    second = open_ballot(world, proposal_id, "wendy")
    take(world, proposal_id, "withdraw", "wendy", reason="merged elsewhere")
    with world.database.reader() as session:
        ballot = ballots.get_ballot(session, second)
        assert ballot.state == "cancelled"
        assert "withdraw" in ballot.close_reason


def test_a_standard_travels_from_draft_to_published(world: World) -> None:
    proposal_id = in_review(world)
    pass_ballot(world, proposal_id, "wendy", WG)
    assert state_of(world, proposal_id) == "wg_last_call"
    pass_ballot(world, proposal_id, "wendy", WG)  # lazy consensus: silence is consent
    assert state_of(world, proposal_id) == "toc_review"
    pass_ballot(world, proposal_id, "tara", TOC)
    assert state_of(world, proposal_id) == "board_ratification"
    pass_ballot(world, proposal_id, "bea", BOARD)
    assert state_of(world, proposal_id) == "published"
    with world.database.reader() as session:
        numbers = sorted(session.scalars(select(Decision.number)))
        assert log_writer.verify(session).ok
    assert numbers == [
        "BOARD-2026-001",
        "TOC-2026-001",
        "WG-TRUST-VALIDATION-2026-001",
        "WG-TRUST-VALIDATION-2026-002",
    ]


def test_approval_is_bound_to_one_revision(world: World) -> None:
    proposal_id = in_review(world)
    pass_ballot(world, proposal_id, "wendy", WG)
    pass_ballot(world, proposal_id, "wendy", WG)
    pass_ballot(world, proposal_id, "tara", TOC)
    # the text changes after the working group and the TOC approved it
    revise(world, proposal_id, "wendy", text="# Spec, quietly changed\n")
    closed = pass_ballot(world, proposal_id, "bea", BOARD)
    assert closed.ballot.outcome == "passed"
    assert state_of(world, proposal_id) == "board_ratification"
    [refusal] = log_of(world, "ballot.outcome_not_applied")
    assert "approval_ballots_passed" in refusal.payload["reason"]


def test_closed_outcome_never_changes(world: World) -> None:
    proposal_id = in_review(world)
    ballot_id = open_ballot(world, proposal_id, "wendy")
    for voter in ("wendy", "will", "wren"):
        vote(world, ballot_id, voter, "yes")
    run_tick(world)
    world.clock.advance(timedelta(days=30))
    with world.database.reader() as session:
        ballot: Ballot = ballots.get_ballot(session, ballot_id)
        again = ballots.evaluate_ballot(session, ballot, world.clock.now())
    assert (ballot.outcome, again.outcome.value) == ("passed", "passed")
