"""Votes taken in meetings: a quorum of members present, and a threshold of those present."""

from __future__ import annotations

import itertools
from collections.abc import Collection
from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_engine.errors import RuleDefinitionError
from governance_engine.voting import (
    PRESETS,
    Elector,
    Evaluation,
    Outcome,
    QuorumBasis,
    Rule,
    ThresholdBase,
    evaluate,
    parse_rule,
)

PASSED, FAILED, NO_QUORUM = Outcome.PASSED, Outcome.FAILED, Outcome.NO_QUORUM
CNCF = PRESETS["cncf-toc-meeting"]
OPENSTACK = PRESETS["openstack-tc-meeting"]
FAST = settings(max_examples=200, deadline=None)


def meeting(
    rule: Rule,
    size: int,
    positions: dict[int, str],
    present: Collection[int] | int | None,
    *,
    at_deadline: bool = True,
) -> Evaluation:
    electorate = [Elector(v) for v in range(1, size + 1)]
    return evaluate(
        rule, electorate, positions, elapsed=timedelta(0), at_deadline=at_deadline, present=present
    )


def votes(yes: int = 0, no: int = 0, abstain: int = 0, recuse: int = 0) -> dict[int, str]:
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain + ["recuse"] * recuse
    return dict(enumerate(choices, 1))


EIGHT = range(1, 9)  # eight of the eleven TOC members present


@pytest.mark.parametrize(
    ("positions", "present", "expected", "why"),
    [
        (votes(5, 3), EIGHT, PASSED, "quorum 8 of 11 (two thirds, rounded up); 5 > 8/2"),
        (votes(4, 2), EIGHT, FAILED, "4 is not more than half of the 8 present: silence counts"),
        (votes(4, 0, 4), EIGHT, FAILED, "abstaining members are present"),
        (votes(7), range(1, 8), NO_QUORUM, "7 present: no quorum, however they vote"),
        (votes(4, 0, 0, 1), EIGHT, PASSED, "a recused member leaves the base: 4 > 7/2"),
        (votes(5, 3), None, PASSED, "no attendance given: the 8 who voted are present"),
        (votes(7), None, NO_QUORUM, "no attendance given: 7 voted, 7 present"),
        (votes(5), 8, PASSED, "a count of 8 present: 5 > 4"),
        (votes(5), 10, FAILED, "a count of 10 present: 5 is not more than 5"),
        (votes(5, 3), 2, PASSED, "a count below the voters: those who voted are present"),
        (votes(5, 3), [*EIGHT, 99, 100], PASSED, "people outside the electorate do not count"),
        (votes(7), [8, 9, 10, 11], PASSED, "the list and the voters together: 11 present"),
    ],
)
def test_cncf_toc_meeting(
    positions: dict[int, str],
    present: Collection[int] | int | None,
    expected: Outcome,
    why: str,
) -> None:
    assert meeting(CNCF, 11, positions, present).outcome is expected, why


@pytest.mark.parametrize(
    ("positions", "present", "expected", "why"),
    [
        (votes(5, 2), range(1, 8), PASSED, "7 of 13 present (half, rounded up); 5 yes > 2 no"),
        (votes(5), range(1, 7), NO_QUORUM, "6 present: no meeting"),
        (votes(4, 0, 3), range(1, 8), FAILED, "yes from a third of all 13 means 5"),
        (votes(5, 5), range(1, 11), FAILED, "a tie rejects the motion"),
        (votes(6, 5), range(1, 12), PASSED, "more yes than no, and at least 5"),
    ],
)
def test_openstack_tc_meeting(
    positions: dict[int, str], present: Collection[int], expected: Outcome, why: str
) -> None:
    assert meeting(OPENSTACK, 13, positions, present).outcome is expected, why


def test_rules_that_ignore_presence_ignore_the_attendance() -> None:
    rule = PRESETS["simple-majority"]
    for present in (None, [], range(1, 11), 3):
        result = meeting(rule, 10, votes(3, 2), present)
        assert result.outcome is PASSED
        assert result.explanation.present is None
        assert "present" not in result.explanation.to_dict()


def test_the_explanation_counts_who_is_present() -> None:
    explanation = meeting(CNCF, 11, votes(4, 2), EIGHT).explanation
    assert explanation.present == 8
    assert explanation.quorum_present == 8
    assert explanation.counted_base == 8
    assert explanation.support_required == 5
    assert explanation.to_dict()["present"] == 8
    assert explanation.to_dict(hide_tally=True)["present"] == 8
    assert "Present at the meeting: 8 of 11." in explanation.lines
    assert "Quorum: 8 of 11 must be present; 8 are (met)." in explanation.lines
    assert (
        "Threshold: more than half of the members present at the meeting less those who "
        "recused; Yes 4 of 8 counted (the members present at the meeting less those who "
        "recused), 5 needed (not met)." in explanation.lines
    )
    assert explanation.missing == ("needs 1 more support (Yes) from the 5 who have not voted",)
    short = meeting(CNCF, 11, votes(5), range(1, 7)).explanation
    assert short.missing == ("quorum: 8 of 11 must be present, 6 are",)


def test_the_rule_reads_its_meeting_quorum_in_words() -> None:
    words = CNCF.describe()
    assert "more than half of the members present at the meeting less those who recused" in words
    assert "Quorum: at least two thirds of the electorate (rounded up) must be present" in words


def test_settled_allows_for_members_who_may_still_arrive() -> None:
    def settled(positions: dict[int, str], present: Collection[int] | None) -> bool:
        rule = parse_rule({"preset": "cncf-toc-meeting", "close_early": True})
        return meeting(rule, 11, positions, present, at_deadline=False).settled

    assert not settled(votes(5, 3), EIGHT)  # three more arriving make 5 of 11 too few
    assert settled(votes(7, 1), EIGHT)  # 7 > 11/2 whoever arrives
    assert not settled(votes(7), range(1, 8))  # no quorum yet, but an eighth may arrive
    assert not settled(votes(5, 3), None)  # without a list, a silent member may still vote


def test_presence_fields_are_validated_and_round_trip() -> None:
    with pytest.raises(RuleDefinitionError, match="quorum_basis: 'room' is not one of"):
        parse_rule({"quorum_basis": "room"})
    with pytest.raises(RuleDefinitionError, match="threshold_base: 'room' is not one of"):
        parse_rule({"threshold_base": "room"})
    rule = parse_rule({"quorum_basis": "present", "quorum_share": "1/2"})
    assert rule.quorum_basis is QuorumBasis.PRESENT
    assert rule.counts_presence
    assert Rule.from_dict(rule.to_dict()) == rule
    assert Rule.from_dict(OPENSTACK.to_dict()) == OPENSTACK


@st.composite
def meeting_rules(draw: st.DrawFn) -> Rule:
    quorum_basis = draw(st.sampled_from(list(QuorumBasis)))
    threshold_base = draw(st.sampled_from(list(ThresholdBase)))
    if quorum_basis is not QuorumBasis.PRESENT and threshold_base is not ThresholdBase.PRESENT:
        threshold_base = ThresholdBase.PRESENT
    return Rule(
        quorum_basis=quorum_basis,
        quorum_share=draw(st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(2, 3)])),
        threshold_base=threshold_base,
        threshold=draw(st.sampled_from([Fraction(1, 2), Fraction(2, 3)])),
        threshold_strict=draw(st.booleans()),
        support_must_exceed_against=draw(st.booleans()),
        ratio=draw(st.none() | st.just(Fraction(2))),
        close_early=True,
    )


CHOICES = ["yes", "no", "abstain", "recuse"]


@FAST
@given(
    meeting_rules(),
    st.lists(st.sampled_from([None, *CHOICES]), min_size=1, max_size=5),
    st.none() | st.sets(st.integers(1, 5)),
)
def test_settled_is_exact_at_meetings(
    rule: Rule, choices: list[str | None], attendance: set[int] | None
) -> None:
    size = len(choices)
    positions = {v: c for v, c in enumerate(choices, 1) if c is not None}
    result = meeting(rule, size, positions, attendance, at_deadline=False)
    silent = [v for v in range(1, size + 1) if v not in positions]
    here = set(attendance or ()) | set(positions)
    # Each silent member votes, stays away, or (at a meeting) arrives without voting.
    moves: list[str | None] = [None, *CHOICES] + (["arrive"] if attendance is not None else [])
    outcomes = set()
    for completion in itertools.product(moves, repeat=len(silent)):
        filled = dict(positions)
        room = set(here) if attendance is not None else None
        for voter, move in zip(silent, completion, strict=True):
            if move == "arrive":
                assert room is not None
                room.add(voter)
            elif move is not None:
                filled[voter] = move
        outcomes.add(meeting(rule, size, filled, room).outcome)
    assert result.outcome in outcomes
    assert result.settled is (outcomes == {result.outcome})


@FAST
@given(meeting_rules(), st.lists(st.sampled_from([None, *CHOICES]), max_size=6), st.data())
def test_a_yes_from_anyone_never_turns_a_pass_into_a_fail(
    rule: Rule, choices: list[str | None], data: st.DataObject
) -> None:
    size = len(choices)
    positions = {v: c for v, c in enumerate(choices, 1) if c is not None}
    attendance = data.draw(st.none() | st.sets(st.integers(1, max(size, 1))))
    others = [v for v in range(1, size + 1) if positions.get(v) != "yes"]
    if not others:
        return
    voter = data.draw(st.sampled_from(others))
    before = meeting(rule, size, positions, attendance)
    after = meeting(rule, size, {**positions, voter: "yes"}, attendance)
    if before.outcome is PASSED:
        assert after.outcome is PASSED
