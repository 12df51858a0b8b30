"""Settledness against brute force, over an explicit grid of rules.

Every combination of threshold base x strict x ties pass x support must exceed against x one
vote per organization x blocking choices x quorum, plus rules with the other conditions
(``min_yes`` over part of the support, ``max_no``, a share of the electorate, lazy consensus)
and every preset. For each rule, a fixed set of small ballots (several members per
organization, up to three electors silent): ``settled`` must be true exactly when every way
the silent electors could vote, or not vote, gives the same outcome.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from testkit.settle_oracle import completions, make_rule, reference

from governance_engine.voting import PRESETS, Elector, Rule, ThresholdBase, evaluate

MAJORITY = {"threshold": Fraction(1, 2), "threshold_strict": True}
NO_SHARE = {"threshold": Fraction(0), "threshold_strict": False}


def grid() -> list[Any]:
    rules = []
    for base, strict, ties, exceed, cap, blocking, quorum in itertools.product(
        ThresholdBase, *([(False, True)] * 6)
    ):
        share = Fraction(1, 2) if strict else Fraction(2, 3)
        rule = make_rule(
            threshold_base=base,
            threshold=share,
            threshold_strict=strict,
            tie_passes=ties,
            support_must_exceed_against=exceed,
            one_vote_per_organization=cap,
            blocking=blocking,
            quorum_share=Fraction(1, 2) if quorum else Fraction(0),
            quorum_counts_abstentions=not quorum,
        )
        name = "-".join(
            [
                base.value,
                *(
                    n
                    for n, on in (
                        ("strict", strict),
                        ("ties", ties),
                        ("exceed", exceed),
                        ("cap", cap),
                        ("block", blocking),
                        ("quorum", quorum),
                    )
                    if on
                ),
            ]
        )
        rules.append(pytest.param(rule, id=name))
    extras = {
        "min-yes-of-subset": make_rule(
            choices=("yes", "ok", "no", "abstain", "recuse"),
            support=("yes", "ok"),
            min_yes=2,
            min_yes_choices=("yes",),
            **NO_SHARE,
        ),
        "max-no": make_rule(max_no=1, **NO_SHARE, blocking=True),
        # With one vote per organization a silent first-listed member can take a Yes away.
        "min-yes-cap": make_rule(min_yes=2, one_vote_per_organization=True, **NO_SHARE),
        "max-no-cap": make_rule(max_no=0, one_vote_per_organization=True, **NO_SHARE),
        "electorate-share": make_rule(
            min_support_share_of_electorate=Fraction(1, 2),
            one_vote_per_organization=True,
            **NO_SHARE,
        ),
        "at-least-one-yes": make_rule(threshold=Fraction(0), threshold_strict=True),
        "unanimity": make_rule(threshold=Fraction(1), threshold_strict=False, blocking=True),
        "quorum-min-no-recusals": make_rule(quorum_min=3, quorum_counts_recusals=False, **MAJORITY),
        "lazy": make_rule(lazy_consensus=True, blocking=True, max_no=1, **NO_SHARE),
    }
    rules += [pytest.param(rule, id=name) for name, rule in extras.items()]
    # IAB's seven Yes votes are out of reach of these small ballots: ask for two.
    presets = {**PRESETS, "iab": dataclasses.replace(PRESETS["iab"], min_yes=2)}
    rules += [pytest.param(rule, id=name) for name, rule in presets.items()]
    return rules


def ballots(rule: Rule, seed: str, count: int) -> list[tuple[list[Elector], dict[int, str]]]:
    """Small ballots, several members per organization, at most three electors silent."""
    chooser = random.Random(seed)
    drawn = []
    for _ in range(count):
        size = chooser.randint(1, 5)
        orgs = [chooser.choice([None, 1, 1, 2, 2]) for _ in range(size)]
        electorate = [Elector(v, org) for v, org in enumerate(orgs, start=1)]
        silent = set(chooser.sample(range(1, size + 1), min(size, chooser.randint(0, 3))))
        positions = {v: chooser.choice(rule.choices) for v in range(1, size + 1) if v not in silent}
        drawn.append((electorate, positions))
    return drawn


@pytest.mark.parametrize("rule", grid())
def test_settled_exactly_when_no_completion_changes_the_outcome(
    rule: Rule, request: pytest.FixtureRequest
) -> None:
    seen = set()
    for electorate, positions in ballots(rule, request.node.callspec.id, 24):
        result = evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=False)
        outcomes = completions(rule, electorate, positions)
        assert result.outcome is reference(rule, electorate, positions)
        assert result.settled is (outcomes == {result.outcome}), (electorate, positions)
        seen.add(result.settled)
    assert seen == {True, False}
