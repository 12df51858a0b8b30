"""evaluate(): closing, one vote per organization, ignored positions and the explainer."""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction

import pytest

from governance_engine.voting import (
    PRESETS,
    Elector,
    Evaluation,
    Outcome,
    Rule,
    ThresholdBase,
    evaluate,
)

HOUR = timedelta(hours=1)


def body(size: int) -> list[Elector]:
    return [Elector(v) for v in range(1, size + 1)]


def run(
    rule: Rule,
    electorate: list[Elector],
    positions: dict[int, str],
    *,
    elapsed: timedelta = HOUR,
    at_deadline: bool = False,
) -> Evaluation:
    return evaluate(rule, electorate, positions, elapsed=elapsed, at_deadline=at_deadline)


# -- closing ----------------------------------------------------------------------------------

PASS_AFTER = Rule(close_on_pass_after=timedelta(hours=24))


@pytest.mark.parametrize(
    ("rule", "positions", "elapsed", "at_deadline", "may_close"),
    [
        (PASS_AFTER, {1: "yes", 2: "yes"}, 23 * HOUR, False, False),
        (PASS_AFTER, {1: "yes", 2: "yes"}, 24 * HOUR, False, True),
        (PASS_AFTER, {1: "no", 2: "no"}, 48 * HOUR, False, False),  # failing never closes early
        (PASS_AFTER, {1: "no"}, HOUR, True, True),  # the deadline always allows closing
        (Rule(close_early=True), {1: "yes", 2: "yes", 3: "yes"}, HOUR, False, True),
        (Rule(close_early=False), {1: "yes", 2: "yes", 3: "yes"}, HOUR, False, False),
        (
            Rule(
                lazy_consensus=True,
                threshold=Fraction(0),
                threshold_strict=False,
                blocking=("no",),
                close_early=True,
                close_on_pass_after=HOUR,
            ),
            {1: "yes", 2: "yes", 3: "yes", 4: "yes", 5: "yes"},
            10 * HOUR,
            False,
            False,  # lazy consensus passes only at the deadline, even when settled
        ),
        (
            Rule(
                lazy_consensus=True,
                threshold=Fraction(0),
                threshold_strict=False,
                blocking=("no",),
                close_early=True,
            ),
            {1: "no"},
            HOUR,
            False,
            True,  # ... but with close_early it may close on a settled failure
        ),
    ],
)
def test_may_close(
    rule: Rule,
    positions: dict[int, str],
    elapsed: timedelta,
    at_deadline: bool,
    may_close: bool,
) -> None:
    assert run(rule, body(5), positions, elapsed=elapsed, at_deadline=at_deadline).may_close is (
        may_close
    )


def test_settled_holds_given_positions_fixed() -> None:
    # Three of five said yes under a simple majority of votes cast: two more No cannot undo it.
    result = run(Rule(), body(5), {1: "yes", 2: "yes", 3: "yes"})
    assert result.settled
    assert result.outcome is Outcome.PASSED
    assert any(line.startswith("Settled:") for line in result.explanation.lines)


ORG_RULE = Rule(one_vote_per_organization=True, blocking=("no",), against=())
MIXED = [Elector(1, 10), Elector(2, 10), Elector(3, 20), Elector(4, None)]
ORG_OF_TWO = [Elector(1, 10), Elector(2, 10)]
ORG_OF_TWO_AND_ONE = [Elector(1, 10), Elector(2, 10), Elector(3, 20)]
NEEDS_A_YES = Rule(
    choices=("yes", "no_objection"),
    support=("yes", "no_objection"),
    against=(),
    abstain=(),
    recusal=None,
    threshold=Fraction(0),
    threshold_strict=False,
    min_yes=1,
    min_yes_choices=("yes",),
    one_vote_per_organization=True,
)
ABSTAINERS_ARE_ABSENT = Rule(
    choices=("yes", "abstain"),
    against=(),
    recusal=None,
    threshold=Fraction(0),
    threshold_strict=False,
    quorum_min=2,
    quorum_counts_abstentions=False,
    one_vote_per_organization=True,
)
ALL_NOT_RECUSED = Rule(
    choices=("yes", "pass", "recuse"),
    against=(),
    abstain=(),
    threshold=Fraction(0),
    threshold_strict=False,
    min_support_share_of_electorate=Fraction(1),
    one_vote_per_organization=True,
)


@pytest.mark.parametrize(
    ("rule", "electorate", "positions", "settled"),
    [
        # A silent alternate can still raise a block, which the cap never hides.
        (ORG_RULE, ORG_OF_TWO, {1: "yes"}, False),
        (Rule(one_vote_per_organization=True), ORG_OF_TWO, {1: "yes"}, True),
        # A silent primary can still take its organization's vote and spend it on support
        # that is not a Yes, so "at least one Yes" is not yet certain.
        (NEEDS_A_YES, ORG_OF_TWO, {2: "yes"}, False),
        (NEEDS_A_YES, ORG_OF_TWO, {1: "yes"}, True),
        # By abstaining (absent for quorum) a silent primary would lose the quorum.
        (ABSTAINERS_ARE_ABSENT, ORG_OF_TWO_AND_ONE, {2: "yes", 3: "yes"}, False),
        (ABSTAINERS_ARE_ABSENT, ORG_OF_TWO_AND_ONE, {1: "yes", 3: "yes"}, True),
        # Voting at all, a silent primary un-recuses its organization and so grows the base
        # of "support from the whole electorate less recused".
        (ALL_NOT_RECUSED, ORG_OF_TWO_AND_ONE, {2: "recuse", 3: "yes"}, False),
        (ALL_NOT_RECUSED, ORG_OF_TWO_AND_ONE, {1: "recuse", 3: "yes"}, True),
    ],
    ids=[
        "alternate-may-block",
        "alternate-cannot-change",
        "primary-may-take-over",
        "primary-spoke",
        "primary-may-break-quorum",
        "quorum-certain",
        "primary-may-unrecuse",
        "recusal-certain",
    ],
)
def test_settled_knows_who_in_an_organization_can_still_change_it(
    rule: Rule, electorate: list[Elector], positions: dict[int, str], settled: bool
) -> None:
    result = run(rule, electorate, positions)
    assert result.outcome is Outcome.PASSED
    assert result.settled is settled


@pytest.mark.parametrize(
    ("positions", "expected"),
    [
        ({1: "abstain", 2: "abstain"}, Outcome.FAILED),  # 0 against 0 is no tie to break
        ({1: "yes", 2: "no"}, Outcome.PASSED),
        ({1: "yes", 2: "no", 3: "no"}, Outcome.FAILED),
    ],
)
def test_a_tie_that_passes_needs_some_support(positions: dict[int, str], expected: Outcome) -> None:
    rule = Rule(
        threshold=Fraction(0),
        threshold_strict=False,
        support_must_exceed_against=True,
        tie_passes=True,
    )
    assert run(rule, body(3), positions, at_deadline=True).outcome is expected


# -- one vote per organization -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("positions", "support", "voted", "blocks"),
    [
        ({1: "abstain", 2: "yes"}, 0, 1, ()),  # the first-listed member speaks for org 10
        ({2: "yes"}, 1, 1, ()),  # the alternate votes when the primary has not
        ({1: "yes", 2: "yes", 3: "yes", 4: "yes"}, 3, 3, ()),  # three units, not four voters
        ({1: "yes", 2: "no", 3: "yes"}, 2, 2, (2,)),  # a block by an alternate stands
        ({1: "recuse", 2: "yes"}, 0, 1, ()),  # a recused primary recuses the organization
    ],
)
def test_one_vote_per_organization_counts_the_first_listed_member(
    positions: dict[int, str], support: int, voted: int, blocks: tuple[int, ...]
) -> None:
    result = run(ORG_RULE, MIXED, positions)
    assert result.explanation.electorate == 3
    assert result.explanation.support == support
    assert result.explanation.voted == voted
    assert result.explanation.standing_blocks == blocks
    if blocks:
        assert result.outcome is Outcome.FAILED
    assert sum(result.explanation.counts.values()) == len(positions)


def test_without_the_cap_every_member_counts() -> None:
    result = run(Rule(), MIXED, {1: "yes", 2: "yes", 3: "no"})
    assert (result.explanation.electorate, result.explanation.support) == (4, 2)


# -- what cannot count --------------------------------------------------------------------------


def test_positions_from_outside_the_electorate_are_ignored_and_reported() -> None:
    result = run(Rule(), body(3), {1: "no", 99: "yes", 100: "yes"})
    assert result.outcome is Outcome.FAILED
    assert result.explanation.ignored == (99, 100)
    assert result.explanation.voted == 1
    assert "Ignored: positions from voters not in the electorate: 99, 100." in (
        result.explanation.lines
    )


def test_unknown_choices_and_duplicate_electors_do_not_count() -> None:
    electorate = [Elector(1), Elector(2), Elector(2)]
    result = run(PRESETS["apache-release"], electorate, {1: "+1", 2: "yes"})
    assert result.explanation.electorate == 2
    assert result.explanation.support == 1
    assert result.explanation.ignored == (1,)
    text = "\n".join(result.explanation.lines)
    assert "voter 1 chose '+1', which this rule does not offer" in text
    assert "voter 2 is listed more than once" in text


# -- the explainer --------------------------------------------------------------------------------


def test_explanation_of_an_iesg_ballot_with_a_discuss() -> None:
    positions = {1: "yes", 2: "no_objection", 3: "no_objection", 4: "discuss", 5: "recuse"}
    result = run(PRESETS["iesg"], body(15), positions)
    e = result.explanation
    assert result.outcome is Outcome.FAILED
    assert dict(e.counts) == {"yes": 1, "no_objection": 2, "discuss": 1, "abstain": 0, "recuse": 1}
    assert (e.electorate, e.voted, e.not_voted, e.recused) == (15, 5, 10, 1)
    assert (e.counted_base, e.support, e.against, e.support_required) == (14, 3, 0, 10)
    assert e.standing_blocks == (4,)
    assert e.missing == (
        "a block by voter 4 (Discuss) stands",
        "needs 7 more support (Yes or No Objection) from the 10 who have not voted",
    )
    assert "Standing blocks: voter 4 (Discuss)." in e.lines
    assert e.lines[-1] == "Still needed: " + "; ".join(e.missing) + "."


def test_explanation_of_a_missing_quorum() -> None:
    result = run(PRESETS["simple-majority"], body(7), {1: "yes", 2: "yes", 3: "no"})
    e = result.explanation
    assert result.outcome is Outcome.NO_QUORUM
    assert (e.quorum_required, e.quorum_present) == (4, 3)
    assert e.missing == ("quorum: 4 of 7 must take part, 3 have",)
    assert "Quorum: 4 of 7 must take part; 3 have (not met)." in e.lines


def test_explanation_when_support_cannot_come_from_those_left() -> None:
    result = run(PRESETS["apache-release"], body(4), {1: "yes", 2: "no", 3: "no"})
    assert result.explanation.missing == (
        "support (+1) cannot be reached from the 1 who has not voted: "
        "positions already given must change",
    )
    assert result.settled


def test_explanation_names_yes_when_only_a_yes_is_missing() -> None:
    positions = dict.fromkeys(range(1, 11), "no_objection")
    result = run(PRESETS["iesg"], body(15), positions)
    assert result.explanation.missing == (
        "needs 1 more support (Yes) from the 5 who have not voted",
    )


def test_explanation_of_too_many_against() -> None:
    positions = dict.fromkeys(range(1, 8), "yes") | {8: "no", 9: "no", 10: "no"}
    result = run(PRESETS["iab"], body(13), positions)
    assert result.explanation.missing == ("too many against: 3 No, at most 2 allowed",)


def test_explanation_of_lazy_consensus_before_the_deadline() -> None:
    result = run(PRESETS["lazy-consensus"], body(5), {1: "yes"})
    assert result.outcome is Outcome.PASSED
    assert not result.may_close
    assert result.explanation.missing == (
        "the deadline: lazy consensus passes only once the deadline is reached",
    )
    assert "Outcome at the deadline if nothing changes: passed." in result.explanation.lines


def test_a_passing_ballot_misses_nothing() -> None:
    result = run(PRESETS["apache-release"], body(5), {1: "yes", 2: "yes", 3: "yes"})
    assert result.outcome is Outcome.PASSED
    assert result.explanation.missing == ()
    assert "May not close yet: the outcome is settled, but this rule waits for the deadline." in (
        result.explanation.lines
    )


@pytest.mark.parametrize(
    ("base", "positions", "counted_base", "support_required"),
    [
        (ThresholdBase.CAST, {1: "yes", 2: "no", 3: "abstain"}, 3, 2),
        (ThresholdBase.CAST_EXCLUDING_ABSTENTIONS, {1: "yes", 2: "no", 3: "abstain"}, 2, 2),
        (ThresholdBase.ELECTORATE_MINUS_RECUSED, {1: "yes", 2: "recuse"}, 4, 3),
    ],
)
def test_threshold_bases(
    base: ThresholdBase, positions: dict[int, str], counted_base: int, support_required: int
) -> None:
    result = run(Rule(threshold_base=base), body(5), positions)
    assert result.explanation.counted_base == counted_base
    assert result.explanation.support_required == support_required


def test_evaluation_to_dict_is_json_safe() -> None:
    result = run(PRESETS["iesg"], body(5), {1: "yes", 2: "discuss", 77: "yes"})
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["outcome"] == "failed"
    assert data["explanation"]["standing_blocks"] == [2]
    assert data["explanation"]["counts"]["discuss"] == 1
    assert data["explanation"]["ignored"] == [77]


def test_a_secret_ballot_can_be_shown_without_its_tally() -> None:
    rule = Rule(secret=True, blocking=("no",), against=())
    result = run(rule, body(4), {1: "yes", 2: "no"})
    shown = result.explanation.to_dict(hide_tally=True)
    assert shown["voted"] == 2
    assert shown["not_voted"] == 2
    text = json.dumps(shown)
    for hidden in ("counts", "support", "standing_blocks", "missing", "Yes", "voter 2"):
        assert hidden not in text
