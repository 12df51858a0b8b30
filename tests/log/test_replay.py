"""The pure fold: hand-built log entries in, the rows the tables must hold out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from governance_engine.log import EntryContent, format_timestamp
from governance_engine.log.replay import (
    Replayer,
    ReplayState,
)
from governance_engine.log.replay_records import (
    Difference,
    ElectorRecord,
    VoteRecord,
    label,
    text_digest,
)
from governance_engine.voting import PRESETS

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULE = PRESETS["simple-majority"].to_dict()
DIGEST = text_digest("# Spec\n")
ALICE, BOB, CAROL, DAVE = 11, 12, 13, 14  # people; Bob is the secretary
WG = 3  # the sponsoring working group's body id


class Log:
    """Entries as ``log export`` writes them, one minute apart."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def at(self, seq: int) -> datetime:
        return T0 + timedelta(minutes=seq)

    def add(
        self,
        action: str,
        subject_id: int | str,
        /,
        actor: int | None = ALICE,
        proposal_id: int | None = 1,
        **payload: Any,
    ) -> dict[str, Any]:
        seq = len(self.entries) + 1
        entry = {
            "seq": seq,
            "recorded_at": format_timestamp(self.at(seq)),
            "actor_id": actor,
            "action": action,
            "subject_type": action.split(".")[0],
            "subject_id": str(subject_id),
            "proposal_id": proposal_id,
            "body_id": WG,
            "payload": payload,
        }
        self.entries.append(entry)
        return entry

    def transition(
        self, action: str, source: str, dest: str, version: int, actor: int | None = ALICE
    ) -> None:
        payload: dict[str, Any] = {
            "action": action,
            "from": source,
            "to": dest,
            "version": version,
            "reason": "",
        }
        self.add("proposal.transitioned", 1, actor=actor, **payload)

    def fold(self) -> ReplayState:
        replayer = Replayer()
        for entry in self.entries:
            replayer.apply(entry)
        return replayer.state


def people(log: Log) -> None:
    for person, organization in [(ALICE, 1), (BOB, 2), (CAROL, 1), (DAVE, 3)]:
        log.add(
            "person.created", person, actor=None, proposal_id=None, organization_id=organization
        )


def filed(log: Log) -> None:
    people(log)
    log.add(
        "proposal.filed",
        1,
        kind="standard",
        title="Model cards",
        summary="",
        sponsor="wg-trust-validation",
        authors=[CAROL, ALICE],
        workflow="standard",
        workflow_version=1,
        state="draft",
    )
    log.add("revision.added", 1, number=1, digest=DIGEST, note="initial text")
    log.transition("submit", "draft", "wg_review", version=3)


def opened(log: Log, ballot_id: int = 7, deadline_days: int = 7) -> None:
    deadline = log.at(len(log.entries) + 1) + timedelta(days=deadline_days)
    log.add(
        "ballot.opened",
        ballot_id,
        stage="wg_review",
        revision=1,
        digest=DIGEST,
        rule=RULE,
        deadline=format_timestamp(deadline),
        electorate=[
            {"person_id": ALICE, "organization_id": 1},
            {"person_id": BOB, "organization_id": 2},
            {"person_id": CAROL, "organization_id": 1},
        ],
        secret=False,
    )


def cast(log: Log, voter: int, choice: str, *, by: int | None = None, previous: Any = None) -> None:
    log.add(
        "vote.changed" if previous else "vote.cast",
        7,
        actor=by or voter,
        voter_id=voter,
        entered_by=by or voter,
        choice=choice,
        rationale="",
        previous=previous,
        secret=False,
    )


def closed_history() -> Log:
    """Filed, submitted, voted (one proxy, one change), electorate amended, closed, decided."""
    log = Log()
    filed(log)
    opened(log)
    cast(log, ALICE, "no")
    cast(log, CAROL, "yes", by=BOB)  # Bob, the secretary, enters Carol's vote
    cast(log, ALICE, "yes", previous={"choice": "no", "rationale": ""})
    cast(log, BOB, "no")
    log.add("ballot.electorate_amended", 7, added=[DAVE], removed=[BOB], reason="seat ended")
    log.add(
        "ballot.closed",
        7,
        actor=None,
        outcome="passed",
        tally={"counts": {"yes": 2}},
        digest=DIGEST,
    )
    log.add(
        "decision.recorded",
        "WG-TRUST-VALIDATION-2026-001",
        actor=None,
        number="WG-TRUST-VALIDATION-2026-001",
        kind="ballot",
        outcome="passed",
        ballot_id=7,
        digest=DIGEST,
        summary="passed",
    )
    log.transition("start_last_call", "wg_review", "wg_last_call", version=5, actor=None)
    return log


def test_a_proposal_is_rebuilt_with_its_version_counter() -> None:
    log = closed_history()
    state = log.fold()
    assert state.problems == []
    proposal = state.proposals[1]
    assert (proposal.kind, proposal.title, proposal.state) == (
        "standard",
        "Model cards",
        "wg_last_call",
    )
    assert (proposal.workflow_name, proposal.workflow_version) == ("standard", 1)
    assert proposal.sponsor_body_id == WG
    assert proposal.authors == (ALICE, CAROL)
    assert proposal.filed_by_id == ALICE
    # 1 when filed, then: revision, submit, ballot opened, start_last_call
    assert proposal.version == 5
    assert proposal.created_at == log.at(5)
    assert proposal.state_entered_at == proposal.updated_at == log.at(len(log.entries))
    [revision] = state.revisions.values()
    assert (revision.number, revision.digest, revision.created_by_id) == (1, DIGEST, ALICE)
    assert revision.text_digest is None


def test_a_ballot_its_electorate_and_votes_are_rebuilt() -> None:
    log = closed_history()
    state = log.fold()
    ballot = state.ballots[7]
    assert (ballot.state, ballot.outcome, ballot.rule, ballot.rule_name) == (
        "closed",
        "passed",
        RULE,
        "simple-majority",
    )
    assert (ballot.proposal_id, ballot.body_id, ballot.revision, ballot.digest) == (
        1,
        WG,
        1,
        DIGEST,
    )
    assert ballot.opened_at == log.at(8)
    assert ballot.closed_at == log.at(14)
    assert ballot.closed_by_id is None
    assert ballot.version == 1 + 1 + 1  # amendment, close (votes count from the votes)
    assert state.electors[(7, BOB)] == ElectorRecord(7, BOB, 2, log.at(8), log.at(13), "seat ended")
    # an added elector's organization comes from person.created
    assert state.electors[(7, DAVE)] == ElectorRecord(7, DAVE, 3, log.at(13), None, "seat ended")
    assert state.votes[(7, ALICE)] == VoteRecord(
        7, ALICE, "yes", "", ALICE, log.at(9), log.at(11), 1
    )
    assert state.votes[(7, CAROL)].entered_by_id == BOB
    decision = state.decisions["WG-TRUST-VALIDATION-2026-001"]
    assert (decision.ballot_id, decision.outcome, decision.tally, decision.rule) == (
        7,
        "passed",
        {"counts": {"yes": 2}},
        RULE,
    )
    assert label(decision) == "number=WG-TRUST-VALIDATION-2026-001"
    assert label(state.votes[(7, CAROL)]) == f"ballot_id=7 voter_id={CAROL}"


def test_closing_keeps_what_the_outcome_is_recomputed_from() -> None:
    state = closed_history().fold()
    facts = state.closed[7]
    assert facts.rule == RULE
    # Bob was removed: he leaves the electorate and his "no" stops counting; Dave joined
    assert facts.electorate == ((ALICE, 1), (CAROL, 1), (DAVE, 3))
    assert facts.positions == {ALICE: "yes", CAROL: "yes"}
    assert facts.elapsed == timedelta(minutes=6)
    assert facts.at_deadline is False
    assert facts.outcome == "passed"


def test_exported_documents_and_entry_contents_fold_alike() -> None:
    log = closed_history()
    replayer = Replayer()
    for document in log.entries:
        replayer.apply(
            EntryContent(
                seq=document["seq"],
                recorded_at=log.at(document["seq"]),
                actor_id=document["actor_id"],
                action=document["action"],
                subject_type=document["subject_type"],
                subject_id=document["subject_id"],
                proposal_id=document["proposal_id"],
                body_id=document["body_id"],
                payload=document["payload"],
            )
        )
    assert replayer.state == log.fold()


def test_a_reinstated_elector_keeps_the_time_first_added_and_counts_again() -> None:
    log = Log()
    filed(log)
    opened(log, deadline_days=1)
    cast(log, BOB, "no")
    log.add("ballot.electorate_amended", 7, added=[], removed=[BOB], reason="left")
    log.add("ballot.electorate_amended", 7, added=[BOB], removed=[], reason="back")
    log.add("ballot.closed", 7, actor=None, outcome="failed", tally={}, digest=DIGEST)
    state = log.fold()
    assert state.electors[(7, BOB)] == ElectorRecord(7, BOB, 2, log.at(8), None, "back")
    assert state.closed[7].positions == {BOB: "no"}


def test_a_cancelled_ballot_bumps_the_proposal_before_the_transition_that_cancelled_it() -> None:
    log = Log()
    filed(log)
    opened(log)
    log.add("ballot.cancelled", 7, reason="the proposal left wg_review by withdraw")
    log.transition("withdraw", "wg_review", "withdrawn", version=6)
    state = log.fold()
    assert state.problems == []
    assert state.proposals[1].version == 6
    ballot = state.ballots[7]
    assert (ballot.state, ballot.outcome, ballot.closed_at) == ("cancelled", None, log.at(9))
    assert ballot.close_reason == "the proposal left wg_review by withdraw"
    assert 7 not in state.closed


def _problems(*extra: tuple[str, int | str, dict[str, Any]]) -> list[str]:
    log = Log()
    filed(log)
    opened(log)
    for action, subject, payload in extra:
        log.add(action, subject, **payload)
    return [problem.describe() for problem in log.fold().problems]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            ("proposal.transitioned", 1, {"from": "draft", "to": "wg_review", "action": "submit"}),
            "proposals[id=1] state: replay 'wg_review', log seq 9 (proposal.transitioned) 'draft'",
        ),
        (
            ("proposal.transitioned", 1, {"from": "wg_review", "to": "returned", "version": 9}),
            "proposals[id=1] version: replay 5, log seq 9 (proposal.transitioned) 9",
        ),
        (
            ("vote.changed", 7, {"voter_id": ALICE, "choice": "yes", "previous": None}),
            "votes[ballot_id=7 voter_id=11] action: replay 'vote.cast', "
            "log seq 9 (vote.changed) 'vote.changed'",
        ),
        (
            ("vote.cast", 8, {"voter_id": ALICE, "choice": "yes"}),
            "ballots[id=8]: in the log seq 9 (vote.cast), missing from the replay",
        ),
        (
            ("vote.cast", 7, {"voter_id": DAVE, "choice": "yes"}),
            "ballot_electors[ballot_id=7 person_id=14]: in the log seq 9 (vote.cast), "
            "missing from the replay",
        ),
        (
            ("revision.added", 1, {"number": 3, "digest": DIGEST}),
            "revisions[proposal_id=1] number: replay 2, log seq 9 (revision.added) 3",
        ),
        (
            ("ballot.closed", 7, {"outcome": "passed", "digest": "0" * 64}),
            f"ballots[id=7] digest: replay {DIGEST!r}, log seq 9 (ballot.closed) {'0' * 64!r}",
        ),
        (
            ("ballot.opened", 7, {"stage": "wg_review", "digest": DIGEST, "deadline": "x"}),
            "ballots[id=7] created: replay 'once', log seq 9 (ballot.opened) 'again'",
        ),
        (
            ("vote.cast", 7, {"choice": "yes"}),
            "log[seq=9] payload: replay 'readable', log seq 9 (vote.cast) \"KeyError('voter_id')\"",
        ),
    ],
)
def test_the_log_disagreeing_with_itself_is_a_problem(
    entry: tuple[str, int | str, dict[str, Any]], problem: str
) -> None:
    assert _problems(entry) == [problem]


def test_actions_that_touch_no_rebuilt_table_are_skipped_and_new_ones_counted() -> None:
    log = Log()
    log.add("organization.created", 1, proposal_id=None, name="Northwind", kind="company")
    log.add("seat.granted", 1, proposal_id=None, person_id=ALICE)
    log.add("proposal.archived", 1)
    log.add("proposal.archived", 1)
    state = log.fold()
    assert state.entries == 4
    assert state.unknown_actions == {"proposal.archived": 2}
    assert state.problems == []


def test_difference_lines() -> None:
    moved = Difference("ballots", "id=7", "deadline", T0, T0 + timedelta(hours=1))
    assert moved.describe() == (
        "ballots[id=7] deadline: log 2026-03-02T09:00:00.000000Z, table 2026-03-02T10:00:00.000000Z"
    )
