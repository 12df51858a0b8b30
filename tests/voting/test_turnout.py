"""Turnout bands: a ratio that depends on how many take part (the W3C appeal vote)."""

from __future__ import annotations

import itertools
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
    Rule,
    TurnoutBand,
    evaluate,
    parse_rule,
)

PASSED, FAILED = Outcome.PASSED, Outcome.FAILED
W3C = PRESETS["w3c-appeal"]
FAST = settings(max_examples=200, deadline=None)


def appeal(size: int, yes: int, no: int, abstain: int = 0, *, rule: Rule = W3C) -> Evaluation:
    """An appeal vote among ``size`` Members (one each), the rest silent."""
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    electorate = [Elector(v, organization_id=v) for v in range(1, size + 1)]
    positions = dict(enumerate(choices, 1))
    return evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=True)


@pytest.mark.parametrize(
    ("yes", "no", "abstain", "expected", "why"),
    [
        (4, 0, 0, FAILED, "4% take part: below 5% the vote fails"),
        (3, 0, 1, FAILED, "4% with an abstention: still below 5%"),
        (5, 0, 0, PASSED, "exactly 5%: the 3x band, nobody rejects"),
        (4, 1, 0, PASSED, "exactly 5%: 4 > 3 x 1"),
        (3, 1, 1, FAILED, "exactly 5%: 3 is not more than 3 x 1"),
        (9, 3, 3, FAILED, "exactly 15% is still the 3x band: 9 is not more than 9"),
        (10, 3, 2, PASSED, "exactly 15%: 10 > 9"),
        (9, 3, 4, PASSED, "16%: the 2x band, 9 > 6"),
        (6, 3, 7, FAILED, "16%: 6 is not more than 2 x 3"),
        (7, 3, 6, PASSED, "16%: 7 > 6"),
        (6, 5, 8, FAILED, "19% is still the 2x band: 6 is not more than 10"),
        (6, 5, 9, PASSED, "exactly 20%: a simple majority, 6 > 5"),
        (5, 5, 10, FAILED, "20%: a tie is not a majority"),
        (30, 29, 0, PASSED, "59%: 30 > 29"),
        (0, 0, 25, FAILED, "25% all abstaining: no Approve at all"),
    ],
)
def test_each_band_and_each_boundary_of_the_w3c_appeal(
    yes: int, no: int, abstain: int, expected: Outcome, why: str
) -> None:
    assert appeal(100, yes, no, abstain).outcome is expected, why


def test_turnout_is_exact_on_an_electorate_that_does_not_divide() -> None:
    # 5% of 30 is 1.5: one Member is not enough, two are.
    assert appeal(30, 1, 0).outcome is FAILED
    assert appeal(30, 2, 0).outcome is PASSED
    # 15% of 30 is 4.5: 4 taking part is the 3x band, 5 the 2x band.
    assert appeal(30, 3, 1).outcome is FAILED
    assert appeal(30, 3, 1, 1).outcome is PASSED


def test_one_vote_per_member_organization() -> None:
    # Two representatives of Member 1: only the first who voted counts, toward turnout too.
    electorate = [Elector(1, 1), Elector(2, 1), *(Elector(v, v) for v in range(3, 21))]
    result = evaluate(W3C, electorate, {1: "yes", 2: "yes"}, elapsed=timedelta(0), at_deadline=True)
    assert result.explanation.electorate == 19
    assert result.explanation.support == 1
    assert result.outcome is PASSED  # 1 of 19 is 5.3%


def test_the_explanation_names_the_band_and_the_numbers() -> None:
    low = appeal(100, 3, 0).explanation
    assert (
        "Turnout: 3 of 100 (3%); it must reach at least 5% (5 of 100) or the ballot fails "
        "(not met)." in low.lines
    )
    assert low.missing == ("needs 2 more support (Approve) from the 97 who have not voted",)
    assert low.support_required == 5  # two more Approve bring the turnout to 5%
    mid = appeal(100, 9, 3, 4).explanation
    assert (
        "Turnout: 16 of 100 (16%), in the band for more than 15%: more than 2 times as many "
        "Approve as Reject (2:1 exceeded; exactly 2:1 fails); 9 Approve against 3 Reject, "
        "7 needed (met)." in mid.lines
    )
    boundary = appeal(100, 9, 3, 3).explanation
    assert boundary.support_required == 10
    assert boundary.missing == ("needs 1 more support (Approve) from the 85 who have not voted",)


def test_the_rule_reads_its_bands_in_words() -> None:
    words = W3C.describe()
    assert "from at least 5%, more than 3 times as many Approve as Reject" in words
    assert "from more than 15%, more than 2 times as many Approve as Reject" in words
    assert "from at least 20%, more Approve than Reject; with less turnout it fails" in words


def test_bands_are_parsed_from_workflow_style_data() -> None:
    rule = parse_rule(
        {
            "choices": {"yes": "Approve", "no": "Reject", "abstain": "Abstain"},
            "recusal": None,
            "threshold": "none",
            "one_vote_per_organization": True,
            "duration": "P4W",
            "turnout_bands": [
                {"min_turnout": "5%", "ratio": "3:1", "ratio_strict": True},
                {"min_turnout": "15%", "turnout_strict": True, "ratio": 2, "ratio_strict": True},
                {"min_turnout": 0.2, "majority": True},
            ],
        }
    )
    assert rule.turnout_bands == W3C.turnout_bands
    data = W3C.to_dict()
    assert data["turnout_bands"][1] == {
        "min_turnout": "3/20",
        "turnout_strict": True,
        "ratio": "2:1",
        "ratio_strict": True,
    }
    assert Rule.from_dict(data) == W3C


BAND = {"min_turnout": "5%", "ratio": "3:1"}


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ("5%", "turnout_bands: must be a list of bands"),
        (["5%"], "each band is a mapping"),
        ([{"ratio": "3:1"}], "a band needs min_turnout"),
        ([{"min_turnout": "5%"}], "a band needs a ratio or majority: true"),
        ([{**BAND, "majority": True}], "a band needs a ratio or majority: true"),
        ([{**BAND, "quorum": 3}], "unknown band key 'quorum'"),
        ([{**BAND, "min_turnout": "120%"}], "must be between 0 and 1"),
        ([{**BAND, "ratio": "0:1"}], "must be more than zero"),
        ([{**BAND, "ratio": 181}], "in YAML, quote a ratio"),
        ([{**BAND, "turnout_strict": "no"}], "turnout_strict must be true or false"),
        ([{"min_turnout": 1, "turnout_strict": True, "ratio": 1}], "more than 100%"),
        ([BAND, BAND], "bands must be listed by rising min_turnout"),
        ([BAND, {"min_turnout": "2%", "ratio": 1}], "bands must be listed by rising min_turnout"),
        ([BAND, {"min_turnout": "9%", "ratio": 4}], "a band for higher turnout may not ask for"),
        (
            [
                {**BAND, "ratio_strict": False},
                {"min_turnout": "9%", "ratio": 3, "ratio_strict": True},
            ],
            "a band for higher turnout may not ask for",
        ),
    ],
)
def test_bad_bands_are_refused_by_name(bands: object, message: str) -> None:
    with pytest.raises(RuleDefinitionError, match=message.replace("(", r"\(")):
        parse_rule({"threshold": "none", "turnout_bands": bands})


def test_lazy_consensus_cannot_have_bands() -> None:
    with pytest.raises(RuleDefinitionError, match="turnout_bands: a lazy-consensus rule"):
        parse_rule({"lazy_consensus": True, "turnout_bands": [BAND]})


@st.composite
def band_rules(draw: st.DrawFn) -> Rule:
    """Up to three bands over shares that a six-member electorate makes interesting."""
    shares = sorted(draw(st.sets(st.sampled_from([0, 1, 2, 3, 4, 5, 6]), min_size=1, max_size=3)))
    ratios = sorted(
        draw(st.lists(st.sampled_from([1, 2, 3]), min_size=len(shares), max_size=len(shares))),
        reverse=True,
    )
    bands = []
    for share, ratio in zip(shares, ratios, strict=True):
        strict_turnout = share < 6 and draw(st.booleans())
        bands.append(TurnoutBand(Fraction(share, 6), Fraction(ratio), True, strict_turnout))
    return Rule(
        threshold=Fraction(0),
        threshold_strict=False,
        turnout_bands=tuple(bands),
        quorum_counts_abstentions=draw(st.booleans()),
        close_early=True,
    )


CHOICES = [None, "yes", "no", "abstain", "recuse"]


@FAST
@given(band_rules(), st.lists(st.sampled_from(CHOICES), min_size=1, max_size=6), st.data())
def test_a_yes_never_turns_a_pass_into_a_fail(
    rule: Rule, choices: list[str | None], data: st.DataObject
) -> None:
    electorate = [Elector(v) for v in range(1, len(choices) + 1)]
    positions = {v: c for v, c in enumerate(choices, 1) if c is not None}
    others = [v for v in range(1, len(choices) + 1) if positions.get(v) != "yes"]
    if not others:
        return
    voter = data.draw(st.sampled_from(others))
    before = evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=True)
    after = evaluate(
        rule, electorate, {**positions, voter: "yes"}, elapsed=timedelta(0), at_deadline=True
    )
    if before.outcome is PASSED:
        assert after.outcome is PASSED


@FAST
@given(band_rules(), st.lists(st.sampled_from(CHOICES), max_size=6))
def test_settled_never_lies(rule: Rule, choices: list[str | None]) -> None:
    """Settled is conservative with bands: when it says settled, no completion differs."""
    electorate = [Elector(v) for v in range(1, len(choices) + 1)]
    positions = {v: c for v, c in enumerate(choices, 1) if c is not None}
    result = evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=False)
    silent = [v for v in range(1, len(choices) + 1) if v not in positions]
    outcomes = set()
    for completion in itertools.product(CHOICES, repeat=len(silent)):
        filled = dict(positions)
        filled.update({v: c for v, c in zip(silent, completion, strict=True) if c is not None})
        outcomes.add(
            evaluate(rule, electorate, filled, elapsed=timedelta(0), at_deadline=True).outcome
        )
    assert result.outcome in outcomes
    if result.settled:
        assert outcomes == {result.outcome}
    if len(silent) == 0:
        assert result.settled


def test_settled_cases_of_the_w3c_appeal() -> None:
    rule = parse_rule({"preset": "w3c-appeal", "close_early": True})
    electorate = [Elector(v, v) for v in range(1, 21)]

    def now(positions: dict[int, str]) -> Evaluation:
        return evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=False)

    # 19 of 20 approve: whatever the last Member does, it passes.
    assert now(dict.fromkeys(range(1, 20), "yes")).settled
    # 1 of 20 approves (5%): passing now, but three Rejects would sink it.
    single = now({1: "yes"})
    assert single.outcome is PASSED
    assert not single.settled
    # 16 reject, 4 silent: even 4 Approve cannot beat 16 Reject in any band.
    hopeless = now(dict.fromkeys(range(1, 17), "no"))
    assert hopeless.outcome is FAILED
    assert hopeless.settled
