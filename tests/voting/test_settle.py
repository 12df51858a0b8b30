"""When is a ballot settled? Table cases, worked out by hand.

"Settled" lets a ballot close early (DESIGN §5), so a wrong ``True`` closes a ballot whose
result could still change. Every part of the rule that changes the arithmetic of
``voting/_settle.py`` is crossed here: the threshold base, strict or not, ties passing or not,
support that must exceed against, one vote per organization, blocking choices (and quorum);
each with a case where the electors who have not voted can still flip the outcome and one where
they cannot. ``test_settle_grid.py`` checks a grid of every combination by brute force.
Positions are written one character per elector in electorate order: ``y`` yes, ``n`` no,
``a`` abstain, ``r`` recuse, ``b`` block, ``-`` not voted yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from testkit.settle_oracle import (
    BODY,
    CAST,
    EXCL,
    FAILED,
    NO_QUORUM,
    PASSED,
    completions,
    make_rule,
)

from governance_engine.voting import Elector, Outcome, Rule, evaluate

LETTERS = {"y": "yes", "n": "no", "a": "abstain", "r": "recuse", "b": "block"}


def ballot(orgs: Sequence[int | None], marks: str) -> tuple[list[Elector], dict[int, str]]:
    electorate = [Elector(v, org) for v, org in enumerate(orgs, start=1)]
    positions = {v: LETTERS[m] for v, m in enumerate(marks, start=1) if m != "-"}
    return electorate, positions


def settle(rule: Rule, orgs: Sequence[int | None], marks: str) -> tuple[Outcome, bool]:
    electorate, positions = ballot(orgs, marks)
    result = evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=False)
    return result.outcome, result.settled


ALONE = [None] * 8
MAJORITY = {"threshold": Fraction(1, 2), "threshold_strict": True}
HALF_OR_MORE = {"threshold": Fraction(1, 2), "threshold_strict": False}
TWO_THIRDS = {"threshold": Fraction(2, 3), "threshold_strict": False}
NO_SHARE = {"threshold": Fraction(0), "threshold_strict": False}

# (what, rule, organizations, positions, outcome now, settled)
TABLE: list[tuple[str, dict[str, Any], Sequence[int | None], str, Outcome, bool]] = [
    # Threshold base: votes cast, abstentions included.
    (
        "cast: two Noes can still sink it",
        {"threshold_base": CAST, **MAJORITY},
        ALONE,
        "yyya--",
        PASSED,
        False,
    ),
    ("cast: one No cannot", {"threshold_base": CAST, **MAJORITY}, ALONE, "yyyya-", PASSED, True),
    (
        "cast: abstaining silence can sink it",
        {"threshold_base": CAST, **MAJORITY},
        ALONE,
        "yyn--",
        PASSED,
        False,
    ),
    # Votes cast excluding abstentions: silence abstaining changes nothing.
    (
        "excl: two Noes can still sink it",
        {"threshold_base": EXCL, **MAJORITY},
        ALONE,
        "yyyn--",
        PASSED,
        False,
    ),
    ("excl: one No cannot", {"threshold_base": EXCL, **MAJORITY}, ALONE, "yyyyn-", PASSED, True),
    (
        "excl: abstaining silence cannot sink it",
        {"threshold_base": EXCL, **MAJORITY},
        ALONE,
        "yyyn-",
        PASSED,
        True,
    ),
    # The whole electorate less recused: silence already counts against.
    (
        "body: enough Yes, nobody can take it away",
        {"threshold_base": BODY, **TWO_THIRDS},
        ALONE[:6],
        "yyyy--",
        PASSED,
        True,
    ),
    (
        "body: failing now, two Yes would pass",
        {"threshold_base": BODY, **TWO_THIRDS},
        ALONE[:6],
        "yyyr--",
        FAILED,
        False,
    ),
    (
        "body: failing now, one Yes is not enough",
        {"threshold_base": BODY, **TWO_THIRDS},
        ALONE[:6],
        "yynn-r",
        FAILED,
        True,
    ),
    (
        "body: recusals lower the bar to a pass",
        {"threshold_base": BODY, **TWO_THIRDS},
        ALONE[:5],
        "yyrr-",
        PASSED,
        True,
    ),
    # Strict: a tie at the share fails; not strict, or ties passing: it passes.
    (
        "strict: a tie at half is still reachable",
        {"threshold_base": EXCL, **MAJORITY},
        ALONE,
        "yyn-",
        PASSED,
        False,
    ),
    (
        "at least half: a tie passes",
        {"threshold_base": EXCL, **HALF_OR_MORE},
        ALONE,
        "yyn-",
        PASSED,
        True,
    ),
    (
        "strict, ties pass: a tie passes",
        {"threshold_base": EXCL, **MAJORITY, "tie_passes": True},
        ALONE,
        "yyn-",
        PASSED,
        True,
    ),
    (
        "strict, ties pass: two Noes still sink it",
        {"threshold_base": EXCL, **MAJORITY, "tie_passes": True},
        ALONE,
        "yyn--",
        PASSED,
        False,
    ),
    (
        "strict: a tie now fails, a Yes would pass",
        {"threshold_base": EXCL, **MAJORITY},
        ALONE,
        "yn-",
        FAILED,
        False,
    ),
    # Support must exceed against.
    (
        "exceed: a No ties it and a tie fails",
        {**NO_SHARE, "support_must_exceed_against": True},
        ALONE,
        "yyn-",
        PASSED,
        False,
    ),
    (
        "exceed: a tie passes",
        {**NO_SHARE, "support_must_exceed_against": True, "tie_passes": True},
        ALONE,
        "yyn-",
        PASSED,
        True,
    ),
    (
        "exceed, ties pass: two Noes still sink it",
        {**NO_SHARE, "support_must_exceed_against": True, "tie_passes": True},
        ALONE,
        "yyn--",
        PASSED,
        False,
    ),
    (
        "exceed: two ahead with one silent",
        {**NO_SHARE, "support_must_exceed_against": True},
        ALONE,
        "yyyn-",
        PASSED,
        True,
    ),
    (
        "exceed: behind, two Yes would pass",
        {**NO_SHARE, "support_must_exceed_against": True},
        ALONE,
        "ynn--",
        FAILED,
        False,
    ),
    (
        "exceed: behind for good",
        {**NO_SHARE, "support_must_exceed_against": True},
        ALONE,
        "nnny-",
        FAILED,
        True,
    ),
    # One vote per organization: a silent first-listed member takes over the vote, a later
    # one can only add a block.
    (
        "org cap: the silent primary can take over",
        {**MAJORITY, "one_vote_per_organization": True},
        [1, 1, 2, 3],
        "-yyn",
        PASSED,
        False,
    ),
    (
        "org cap: a silent primary can take a Yes below min_yes",
        {**NO_SHARE, "min_yes": 2, "one_vote_per_organization": True},
        [1, 1, None],
        "-yy",
        PASSED,
        False,
    ),
    (
        "org cap: with the primary's Yes, min_yes holds",
        {**NO_SHARE, "min_yes": 2, "one_vote_per_organization": True},
        [1, 1, None],
        "y-y",
        PASSED,
        True,
    ),
    (
        "org cap: a silent alternate cannot",
        {**HALF_OR_MORE, "one_vote_per_organization": True},
        [1, 1, 2],
        "y-n",
        PASSED,
        True,
    ),
    ("no cap: the same silent member can", {**HALF_OR_MORE}, [1, 1, 2], "y-n", PASSED, False),
    (
        "org cap: a silent alternate can still block",
        {**HALF_OR_MORE, "one_vote_per_organization": True, "blocking": True},
        [1, 1, 2],
        "y-n",
        PASSED,
        False,
    ),
    (
        "org cap: a block by a spoken member stands",
        {**HALF_OR_MORE, "one_vote_per_organization": True, "blocking": True},
        [1, 1, 2],
        "yb-",
        FAILED,
        True,
    ),
    (
        "org cap: the primary's later-listed block counts",
        {**MAJORITY, "one_vote_per_organization": True, "blocking": True},
        [1, 1, 2, 2],
        "-byy",
        FAILED,
        True,
    ),
    # Blocking choices: anyone silent can still block; a standing block is for good.
    (
        "blocking: a silent voter may block",
        {**MAJORITY, "blocking": True},
        ALONE,
        "yyyy-",
        PASSED,
        False,
    ),
    ("blocking: everyone has spoken", {**MAJORITY, "blocking": True}, ALONE, "yyyyn", PASSED, True),
    ("blocking: a block stands", {**MAJORITY, "blocking": True}, ALONE, "yyyb-", FAILED, True),
    # Quorum: reachable or not by those who have not voted.
    (
        "quorum: silence can still make it",
        {**MAJORITY, "quorum_min": 3},
        ALONE,
        "y--",
        NO_QUORUM,
        False,
    ),
    (
        "quorum: recusals do not count, it cannot be made",
        {**MAJORITY, "quorum_min": 3, "quorum_counts_recusals": False},
        ALONE,
        "yr-",
        NO_QUORUM,
        True,
    ),
    (
        "quorum: met, but silence abstaining cannot lose it",
        {**MAJORITY, "quorum_min": 2, "quorum_counts_abstentions": False},
        ALONE,
        "yy-",
        PASSED,
        True,
    ),
    (
        "quorum: not met yet, silence decides both ways",
        {**MAJORITY, "quorum_min": 3, "quorum_counts_abstentions": False},
        ALONE,
        "yy-",
        NO_QUORUM,
        False,
    ),
]


@pytest.mark.parametrize(
    ("rule_kwargs", "orgs", "marks", "outcome", "settled"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE],
)
def test_settledness_by_hand(
    rule_kwargs: dict[str, Any],
    orgs: Sequence[int | None],
    marks: str,
    outcome: Outcome,
    settled: bool,
) -> None:
    rule = make_rule(**rule_kwargs)
    assert settle(rule, orgs[: len(marks)], marks) == (outcome, settled)
    # The table itself is checked against every completion.
    outcomes = completions(rule, *ballot(orgs[: len(marks)], marks))
    assert outcome in outcomes
    assert (outcomes == {outcome}) is settled


def test_every_table_dimension_has_both_answers() -> None:
    """Each part of the arithmetic has a case where silence can flip it and one where not."""
    answers: dict[str, set[bool]] = {}
    for what, *_, settled in TABLE:
        answers.setdefault(what.split(":")[0].split(",")[0], set()).add(settled)
    for key in ("cast", "excl", "body", "strict", "exceed", "org cap", "blocking", "quorum"):
        assert answers[key] == {True, False}, key
