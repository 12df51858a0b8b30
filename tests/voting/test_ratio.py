"""Ratio supermajorities: "yes at least N times no", and its strict form "more than N times"."""

from __future__ import annotations

import itertools
from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_engine.errors import RuleDefinitionError
from governance_engine.voting import Elector, Evaluation, Outcome, Rule, evaluate, parse_rule

PASSED, FAILED, NO_QUORUM = Outcome.PASSED, Outcome.FAILED, Outcome.NO_QUORUM
FAST = settings(max_examples=200, deadline=None)


def ballot(rule: Rule, yes: int, no: int, abstain: int = 0, silent: int = 0) -> Evaluation:
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain + [None] * silent
    electorate = [Elector(v) for v in range(1, len(choices) + 1)]
    positions = {v: c for v, c in enumerate(choices, 1) if c is not None}
    return evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=False)


def three_to_one(*, strict: bool) -> Rule:
    return parse_rule({"threshold": "none", "ratio": "3:1", "ratio_strict": strict})


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "at_least", "more_than"),
    [
        (3, 1, 0, PASSED, FAILED),  # the boundary: exactly 3:1
        (4, 1, 0, PASSED, PASSED),
        (2, 1, 0, FAILED, FAILED),
        (6, 2, 0, PASSED, FAILED),  # exactly 3:1 again
        (7, 2, 0, PASSED, PASSED),
        (5, 2, 0, FAILED, FAILED),
        (1, 0, 0, PASSED, PASSED),  # nobody against: one yes is enough
        (0, 0, 0, FAILED, FAILED),  # no votes: "three times nothing" carries nothing
        (0, 0, 5, FAILED, FAILED),  # abstentions alone carry nothing
        (0, 1, 0, FAILED, FAILED),
        (3, 1, 9, PASSED, FAILED),  # abstentions are ignored either way
        (4, 1, 20, PASSED, PASSED),
    ],
)
def test_the_three_to_one_boundary_both_ways(
    yes: int, no: int, abstain: int, at_least: Outcome, more_than: Outcome
) -> None:
    assert ballot(three_to_one(strict=False), yes, no, abstain).outcome is at_least
    assert ballot(three_to_one(strict=True), yes, no, abstain).outcome is more_than


def test_a_fractional_ratio_compares_exactly() -> None:
    rule = parse_rule({"threshold": "none", "ratio": "3:2"})
    assert ballot(rule, 3, 2).outcome is PASSED  # exactly 3:2
    assert ballot(rule, 4, 3).outcome is FAILED  # 4 < 1.5 * 3
    assert ballot(rule, 4, 3, silent=1).explanation.support_required == 5
    assert ballot(parse_rule({"threshold": "none", "ratio": 1.5}), 6, 4).outcome is PASSED


def test_majority_is_more_yes_than_no() -> None:
    rule = parse_rule({"threshold": "none", "ratio": "majority"})
    assert rule.ratio == 1
    assert rule.ratio_strict
    assert ballot(rule, 2, 2).outcome is FAILED
    assert ballot(rule, 3, 2).outcome is PASSED


def test_the_ratio_adds_to_the_other_conditions() -> None:
    # With the default threshold (more than half of votes cast) and a quorum, all must hold.
    rule = parse_rule({"ratio": "3:1", "quorum_min": 5})
    assert ballot(rule, 3, 1, silent=2).outcome is NO_QUORUM
    assert ballot(rule, 3, 1, abstain=1).outcome is PASSED


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"ratio": "0:1"}, "ratio: must be more than zero"),
        ({"ratio": -2}, "ratio: must be more than zero"),
        ({"ratio": "3:0"}, "is not a ratio such as '3:1'"),
        ({"ratio": "three"}, "is not a ratio such as '3:1'"),
        ({"ratio": True}, "must be a ratio such as '3:1'"),
        ({"ratio": [3, 1]}, "must be a ratio such as '3:1'"),
        ({"ratio_strict": True}, "ratio_strict: only means something with a ratio"),
        ({"ratio": "3:1", "ratio_strict": "yes"}, "ratio_strict: must be true or false"),
        ({"lazy_consensus": True, "ratio": "3:1"}, "ratio: a lazy-consensus rule"),
    ],
)
def test_bad_ratios_are_refused_by_name(config: dict[str, object], message: str) -> None:
    with pytest.raises(RuleDefinitionError, match=message.replace("(", r"\(")):
        parse_rule(config)


def test_a_ratio_round_trips_and_reads_in_words() -> None:
    rule = parse_rule({"preset": "simple-majority", "ratio": "3:1", "ratio_strict": True})
    data = rule.to_dict()
    assert data["ratio"] == "3:1"
    assert data["ratio_strict"] is True
    assert Rule.from_dict(data) == rule
    assert "more than 3 times as many Yes as No (3:1 exceeded; exactly 3:1 fails)" in (
        rule.describe()
    )
    assert "Yes at least 3 times No (3:1; exactly 3:1 passes)" in (
        three_to_one(strict=False).describe()
    )


def test_the_explanation_gives_the_ratio_in_words_and_numbers() -> None:
    result = ballot(three_to_one(strict=False), 5, 2, silent=3)
    explanation = result.explanation
    assert explanation.support_required == 6
    assert (
        "Ratio: Yes at least 3 times No (3:1; exactly 3:1 passes); 5 Yes against 2 No, "
        "6 needed (not met)." in explanation.lines
    )
    assert explanation.missing == ("needs 1 more support (Yes) from the 3 who have not voted",)
    strict = ballot(three_to_one(strict=True), 6, 2, silent=3).explanation
    assert strict.support_required == 7
    assert strict.missing == ("needs 1 more support (Yes) from the 3 who have not voted",)


def test_settled_only_when_no_silent_voter_can_tip_the_ratio() -> None:
    rule = parse_rule({"threshold": "none", "ratio": "3:1", "close_early": True})
    assert not ballot(rule, 3, 1, silent=1).settled  # one more No makes it 3:2
    assert ballot(rule, 6, 1, silent=1).settled  # 6:2 still passes
    assert not ballot(rule, 6, 1, silent=2).settled  # 6:3 fails
    failing = ballot(rule, 1, 2, silent=5)
    assert failing.outcome is FAILED
    assert not failing.settled
    hopeless = ballot(rule, 1, 2, silent=4)  # 5:2 at best
    assert hopeless.outcome is FAILED
    assert hopeless.settled
    assert hopeless.may_close


@st.composite
def ratio_rules(draw: st.DrawFn) -> Rule:
    return Rule(
        threshold=Fraction(0),
        threshold_strict=False,
        ratio=draw(st.sampled_from([Fraction(1), Fraction(3, 2), Fraction(2), Fraction(3)])),
        ratio_strict=draw(st.booleans()),
        quorum_min=draw(st.integers(0, 3)),
        quorum_counts_abstentions=draw(st.booleans()),
        close_early=True,
    )


CHOICES = [None, "yes", "no", "abstain", "recuse"]


@FAST
@given(ratio_rules(), st.lists(st.sampled_from(CHOICES), max_size=7), st.data())
def test_adding_a_yes_never_turns_a_pass_into_a_fail(
    rule: Rule, choices: list[str | None], data: st.DataObject
) -> None:
    electorate = [Elector(v) for v in range(1, len(choices) + 1)]
    positions = {v: c for v, c in enumerate(choices, 1) if c is not None}
    before = evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=True)
    others = [v for v in range(1, len(choices) + 1) if positions.get(v) != "yes"]
    if not others:
        return
    voter = data.draw(st.sampled_from(others))
    after = evaluate(
        rule, electorate, {**positions, voter: "yes"}, elapsed=timedelta(0), at_deadline=True
    )
    if before.outcome is PASSED:
        assert after.outcome is PASSED


@FAST
@given(ratio_rules(), st.lists(st.sampled_from(CHOICES), max_size=6))
def test_ratio_outcome_and_settledness_match_brute_force(
    rule: Rule, choices: list[str | None]
) -> None:
    assert rule.ratio is not None
    electorate = [Elector(v) for v in range(1, len(choices) + 1)]
    positions = {v: c for v, c in enumerate(choices, 1) if c is not None}

    def plain(p: dict[int, str]) -> Outcome:
        taking_part = sum(1 for c in p.values() if c != "abstain" or rule.quorum_counts_abstentions)
        if taking_part < rule.quorum_min:
            return NO_QUORUM
        yes = sum(1 for c in p.values() if c == "yes")
        no = sum(1 for c in p.values() if c == "no")
        assert rule.ratio is not None
        met = yes > rule.ratio * no if rule.ratio_strict else yes >= rule.ratio * no
        return PASSED if met and yes > 0 else FAILED

    result = evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=False)
    assert result.outcome is plain(positions)
    silent = [v for v in range(1, len(choices) + 1) if v not in positions]
    outcomes = set()
    for completion in itertools.product(CHOICES, repeat=len(silent)):
        filled = dict(positions)
        filled.update({v: c for v, c in zip(silent, completion, strict=True) if c is not None})
        outcomes.add(plain(filled))
    assert result.settled is (outcomes == {result.outcome})
