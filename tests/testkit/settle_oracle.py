"""A plain restatement of the voting rules, to check settledness by brute force.

``reference`` gives a ballot's outcome from the rule's fields with the simplest arithmetic
(Fractions, one elector per unit unless one vote per organization, where the first-listed
member who has spoken counts); ``completions`` tries every way the silent electors could vote
or stay silent. Used by ``tests/voting/test_settle*.py``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from governance_engine.voting import Elector, Outcome, QuorumBasis, Rule, ThresholdBase

CAST = ThresholdBase.CAST
EXCL = ThresholdBase.CAST_EXCLUDING_ABSTENTIONS
BODY = ThresholdBase.ELECTORATE_MINUS_RECUSED
PASSED, FAILED, NO_QUORUM = Outcome.PASSED, Outcome.FAILED, Outcome.NO_QUORUM


def make_rule(**kwargs: Any) -> Rule:
    """A rule; ``blocking=True`` adds a blocking choice ``block``."""
    blocking = kwargs.pop("blocking", False)
    if blocking:
        kwargs.update(choices=("yes", "no", "abstain", "block", "recuse"), blocking=("block",))
    return Rule(**kwargs)


def reference(rule: Rule, electorate: Sequence[Elector], positions: Mapping[int, str]) -> Outcome:
    """The outcome, restated plainly (first-listed member speaks for an organization)."""
    units: dict[object, list[int]] = {}
    for e in electorate:
        key = e.organization_id if rule.one_vote_per_organization else None
        units.setdefault(("o", key) if key is not None else ("v", e.voter_id), []).append(
            e.voter_id
        )
    votes = [
        c
        for c in (next((positions[m] for m in ms if m in positions), None) for ms in units.values())
        if c is not None
    ]
    size = len(units)
    recused = votes.count(rule.recusal) if rule.recusal else 0
    abstained = sum(1 for c in votes if c in rule.abstain)
    present = len(votes) - (0 if rule.quorum_counts_recusals else recused)
    present -= 0 if rule.quorum_counts_abstentions else abstained
    if rule.quorum_basis is QuorumBasis.PRESENT:
        present = len(votes)  # no attendance list: those who voted are the members present
    if present < max(math.ceil(rule.quorum_share * size), rule.quorum_min):
        return NO_QUORUM
    if any(c in rule.blocking for c in positions.values()):
        return FAILED
    support = sum(1 for c in votes if c in rule.support)
    against = sum(1 for c in votes if c in rule.against)
    base = {
        CAST: len(votes) - recused,
        EXCL: len(votes) - recused - abstained,
        BODY: size - recused,
        ThresholdBase.PRESENT: len(votes) - recused,
    }[rule.threshold_base]
    if rule.threshold == 0:
        ok = support > 0 or not rule.threshold_strict
    elif rule.threshold_strict and not rule.tie_passes:
        ok = support > rule.threshold * base
    else:
        ok = support >= rule.threshold * base and support > 0
    ok = ok and sum(1 for c in votes if c in rule.yes_choices) >= rule.min_yes
    ok = ok and (rule.max_no is None or against <= rule.max_no)
    if rule.support_must_exceed_against:
        ok = ok and (support > against or (rule.tie_passes and support == against > 0))
    ok = ok and support >= rule.min_support_share_of_electorate * (size - recused)
    ratios = [] if rule.ratio is None else [(rule.ratio, rule.ratio_strict)]
    if rule.turnout_bands:
        turnout = Fraction(present, size) if size else Fraction(0)
        reached = [
            b
            for b in rule.turnout_bands
            if (turnout > b.min_turnout if b.turnout_strict else turnout >= b.min_turnout)
        ]
        ok = ok and bool(reached)
        ratios += [(reached[-1].ratio, reached[-1].ratio_strict)] if reached else []
    for ratio, strict in ratios:
        ok = (
            ok
            and support > 0
            and (support > ratio * against if strict else support >= ratio * against)
        )
    return PASSED if ok else FAILED


def completions(
    rule: Rule, electorate: Sequence[Elector], positions: Mapping[int, str]
) -> set[Outcome]:
    """Every outcome some way of voting (or not) by the silent electors gives."""
    silent = [e.voter_id for e in electorate if e.voter_id not in positions]
    outcomes: set[Outcome] = set()
    for completion in itertools.product([None, *rule.choices], repeat=len(silent)):
        filled = dict(positions)
        filled.update({v: c for v, c in zip(silent, completion, strict=True) if c})
        outcomes.add(reference(rule, electorate, filled))
    return outcomes
