"""What an evaluation, an explanation and a rule description say, pinned word for word.

``Evaluation.to_dict()`` is what the API returns and what a decision record stores; a renamed
key or a changed sentence there breaks every client and every rendered record. Each scenario
below is a real ballot; its expected dictionary was checked by reading it against the rule.
"""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from governance_engine.voting import PRESETS, Elector, Rule, ThresholdBase, evaluate


def E(n, orgs=None):
    return [Elector(i, (orgs or [None] * n)[i - 1]) for i in range(1, n + 1)]


EVERYTHING = Rule(
    quorum_share=Fraction(1, 2),
    quorum_min=4,
    quorum_counts_abstentions=False,
    min_yes=2,
    max_no=0,
    support_must_exceed_against=True,
    min_support_share_of_electorate=Fraction(1, 2),
    one_vote_per_organization=True,
    close_on_pass_after=timedelta(hours=1),
    threshold_base=ThresholdBase.CAST,
)
ORGS = [1, 1, 2, None, None, None]
ALL_YES = {1: "yes", 2: "yes", 3: "yes", 4: "yes", 5: "yes"}
# name: (rule, electorate, positions, elapsed, at_deadline)
SCENARIOS = {
    "iesg-block-recusal-ignored": (
        PRESETS["iesg"],
        [*E(5), Elector(2)],
        {1: "yes", 2: "discuss", 3: "recuse", 9: "yes", 4: "maybe"},
        timedelta(0),
        False,
    ),
    "every-condition-no-quorum": (
        EVERYTHING,
        E(6, ORGS),
        {2: "yes", 3: "no", 4: "abstain"},
        timedelta(0),
        False,
    ),
    "passing-wait-not-over": (EVERYTHING, E(6, ORGS), ALL_YES, timedelta(minutes=30), False),
    "passing-wait-over": (EVERYTHING, E(6, ORGS), ALL_YES, timedelta(hours=1), False),
    "lazy-before-deadline": (PRESETS["lazy-consensus"], E(3), {1: "yes"}, timedelta(0), False),
    "lazy-at-deadline-blocked": (
        PRESETS["lazy-consensus"],
        E(3),
        {1: "object", 2: "abstain"},
        timedelta(0),
        True,
    ),
    "lazy-close-early-failed": (
        Rule(
            choices=("yes", "object"),
            blocking=("object",),
            against=(),
            abstain=(),
            recusal=None,
            threshold=Fraction(0),
            threshold_strict=False,
            lazy_consensus=True,
            close_early=True,
            max_no=None,
        ),
        E(2),
        {1: "object"},
        timedelta(0),
        False,
    ),
    "settled-closes-early": (
        PRESETS["simple-majority"],
        E(3),
        {1: "yes", 2: "yes"},
        timedelta(0),
        False,
    ),
    "quorum-out-of-reach-support-out-of-reach": (
        Rule(
            quorum_min=4,
            quorum_counts_recusals=False,
            threshold_base=ThresholdBase.ELECTORATE_MINUS_RECUSED,
            threshold=Fraction(2, 3),
            threshold_strict=False,
        ),
        E(5),
        {1: "no", 2: "no", 3: "recuse"},
        timedelta(0),
        False,
    ),
    "apache-at-deadline": (
        PRESETS["apache-release"],
        E(4),
        {1: "yes", 2: "yes", 3: "no"},
        timedelta(hours=72),
        True,
    ),
}

# What each scenario must serialise to, one JSON document per scenario name.
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "evaluations.json").read_text(encoding="utf-8")
)


EXPLANATION_KEYS = [
    "counts",
    "electorate",
    "voted",
    "not_voted",
    "recused",
    "counted_base",
    "quorum_required",
    "quorum_present",
    "support",
    "against",
    "support_required",
    "standing_blocks",
    "missing",
    "lines",
    "ignored",
]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_evaluation_to_dict_word_for_word(name: str) -> None:
    rule, electorate, positions, elapsed, at_deadline = SCENARIOS[name]
    result = evaluate(rule, electorate, positions, elapsed=elapsed, at_deadline=at_deadline)
    data = result.to_dict()
    assert list(data) == ["outcome", "settled", "may_close", "explanation"]
    assert list(data["explanation"]) == EXPLANATION_KEYS
    assert data == EXPECTED[name]
    assert data["outcome"] == result.outcome.value
    assert (data["settled"], data["may_close"]) == (result.settled, result.may_close)


def test_a_secret_ballot_shows_participation_only() -> None:
    rule, electorate, positions, elapsed, at_deadline = SCENARIOS["every-condition-no-quorum"]
    result = evaluate(rule, electorate, positions, elapsed=elapsed, at_deadline=at_deadline)
    assert result.explanation.to_dict(hide_tally=True) == {
        "electorate": 5,
        "voted": 3,
        "not_voted": 2,
        "quorum_required": 4,
        "lines": [
            "Electorate: 5; 3 have voted, 2 have not.",
            "Secret ballot: the tally is hidden until the ballot closes.",
        ],
    }
    one = evaluate(
        PRESETS["iab"], [Elector(1), Elector(2)], {1: "yes"}, elapsed=elapsed, at_deadline=False
    )
    assert one.explanation.to_dict(hide_tally=True)["lines"][0] == (
        "Electorate: 2; 1 has voted, 1 has not."
    )
