"""Properties of evaluate() over random rules, electorates and positions (STYLE 7).

``reference_outcome`` restates the rule semantics as plainly as possible (Fractions, no
cleverness), independently of the engine's integer margins and voting units; the engine must
agree with it everywhere, and "settled" is checked against every completion by brute force.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from datetime import timedelta
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from governance_engine.voting import Elector, Outcome, Rule, ThresholdBase, evaluate

FAST = settings(max_examples=200, deadline=None)
RANK = {Outcome.NO_QUORUM: 0, Outcome.FAILED: 1, Outcome.PASSED: 2}
SHARES = [Fraction(0), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(3, 4), Fraction(1)]
MOSTLY_NONE = st.just(Fraction(0)) | st.sampled_from(SHARES)
ROLES = ["support", "support", "against", "abstain", "blocking", "blocking+against", "none"]


@st.composite
def rules(
    draw: st.DrawFn,
    *,
    blocking: bool = False,
    recusal: bool | None = None,
    one_vote_per_organization: bool | None = None,
) -> Rule:
    """Any valid rule over up to five plain choices, maybe a recusal, maybe blocking."""
    names = [f"c{i}" for i in range(draw(st.integers(1, 5)))]
    roles = ["support"] + [draw(st.sampled_from(ROLES)) for _ in names[1:]]
    if blocking and not any(r.startswith("blocking") for r in roles):
        names.append("veto")
        roles.append("blocking")
    has_recusal = draw(st.booleans()) if recusal is None else recusal
    choices = (*names, "recuse") if has_recusal else tuple(names)
    support = tuple(c for c, r in zip(names, roles, strict=True) if r == "support")
    lazy = draw(st.booleans())
    threshold, strict = (
        (Fraction(0), False) if lazy else draw(st.tuples(st.sampled_from(SHARES), st.booleans()))
    )
    tie_passes = draw(st.booleans())
    if threshold == 1 and strict and not tie_passes:
        strict = False
    return Rule(
        name="random",
        choices=choices,
        support=support,
        against=tuple(c for c, r in zip(names, roles, strict=True) if r.endswith("against")),
        abstain=tuple(c for c, r in zip(names, roles, strict=True) if r == "abstain"),
        blocking=tuple(c for c, r in zip(names, roles, strict=True) if r.startswith("blocking")),
        recusal="recuse" if has_recusal else None,
        quorum_share=draw(MOSTLY_NONE),
        quorum_min=draw(st.integers(0, 4)),
        quorum_counts_abstentions=draw(st.booleans()),
        quorum_counts_recusals=draw(st.booleans()),
        threshold_base=draw(st.sampled_from(list(ThresholdBase))),
        threshold=threshold,
        threshold_strict=strict,
        min_yes=0 if lazy else draw(st.integers(0, 3)),
        min_yes_choices=draw(st.sampled_from([(), support[:1], support])),
        max_no=draw(st.none() | st.integers(0, 3)),
        support_must_exceed_against=False if lazy else draw(st.booleans()),
        min_support_share_of_electorate=Fraction(0) if lazy else draw(MOSTLY_NONE),
        tie_passes=tie_passes,
        lazy_consensus=lazy,
        one_vote_per_organization=(
            draw(st.booleans()) if one_vote_per_organization is None else one_vote_per_organization
        ),
        close_early=draw(st.booleans()),
        close_on_pass_after=draw(st.none() | st.just(timedelta(hours=1))),
    )


@st.composite
def ballots(
    draw: st.DrawFn, rule: Rule, *, max_size: int = 6, max_silent: int | None = None
) -> tuple[list[Elector], dict[int, str]]:
    """An electorate of up to ``max_size`` (organizations 1 and 2 or none) and positions."""
    size = draw(st.integers(0, max_size))
    electorate = [Elector(v, draw(st.sampled_from([None, 1, 2]))) for v in range(1, size + 1)]
    options: list[str | None] = [None, *rule.choices]
    positions: dict[int, str] = {}
    silent = 0
    for elector in electorate:
        choice = draw(st.sampled_from(options))
        if choice is None and (max_silent is None or silent < max_silent):
            silent += 1
        else:
            positions[elector.voter_id] = choice or rule.choices[0]
    return electorate, positions


def reference_outcome(
    rule: Rule, electorate: Sequence[Elector], positions: Mapping[int, str]
) -> Outcome:
    """The rule semantics restated plainly, to check the engine against."""
    org_of: dict[int, int | None] = {}
    for elector in electorate:
        org_of.setdefault(elector.voter_id, elector.organization_id)
    valid = {v: c for v, c in positions.items() if v in org_of and c in rule.choices}
    units: dict[tuple[str, int | None], list[int]] = {}
    for voter, org in org_of.items():
        key = ("org", org) if rule.one_vote_per_organization and org is not None else ("me", voter)
        units.setdefault(key, []).append(voter)
    counted = [next((valid[m] for m in ms if m in valid), None) for ms in units.values()]
    votes = [c for c in counted if c is not None]
    size = len(counted)

    def number(choices: Sequence[str | None]) -> int:
        return sum(1 for c in votes if c in choices)

    recused = number([rule.recusal])
    abstained = number(rule.abstain)
    present = len(votes)
    if not rule.quorum_counts_recusals:
        present -= recused
    if not rule.quorum_counts_abstentions:
        present -= abstained
    if present < max(math.ceil(rule.quorum_share * size), rule.quorum_min):
        return Outcome.NO_QUORUM
    if any(c in rule.blocking for c in valid.values()):
        return Outcome.FAILED
    support = number(rule.support)
    against = number(rule.against)
    base = {
        ThresholdBase.CAST: len(votes) - recused,
        ThresholdBase.CAST_EXCLUDING_ABSTENTIONS: len(votes) - recused - abstained,
        ThresholdBase.ELECTORATE_MINUS_RECUSED: size - recused,
        ThresholdBase.PRESENT: len(votes) - recused,  # no meeting: those who voted are present
    }[rule.threshold_base]
    share = rule.threshold
    if share == 0:
        ok = support > 0 or not rule.threshold_strict
    elif rule.threshold_strict and not rule.tie_passes:
        ok = support > share * base
    else:
        ok = support >= share * base and support > 0
    ok = ok and number(rule.min_yes_choices or rule.support) >= rule.min_yes
    ok = ok and (rule.max_no is None or against <= rule.max_no)
    if rule.support_must_exceed_against:
        ok = ok and (support > against or (rule.tie_passes and support == against > 0))
    ok = ok and support >= rule.min_support_share_of_electorate * (size - recused)
    return Outcome.PASSED if ok else Outcome.FAILED


def now(rule: Rule, electorate: list[Elector], positions: dict[int, str]) -> Outcome:
    return evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=False).outcome


@FAST
@given(st.data())
def test_the_engine_agrees_with_the_reference(data: st.DataObject) -> None:
    rule = data.draw(rules())
    electorate, positions = data.draw(ballots(rule))
    assert now(rule, electorate, positions) is reference_outcome(rule, electorate, positions)


@FAST
@given(st.data(), st.sampled_from([None, True]))
def test_settled_means_no_completion_changes_the_outcome(
    data: st.DataObject, one_vote_per_organization: bool | None
) -> None:
    # The second run forces the organization cap: silent primaries and alternates are where
    # "who could still change the count" is subtle.
    rule = data.draw(rules(one_vote_per_organization=one_vote_per_organization))
    electorate, positions = data.draw(ballots(rule, max_size=5, max_silent=3))
    result = evaluate(rule, electorate, positions, elapsed=timedelta(0), at_deadline=False)
    silent = sorted({e.voter_id for e in electorate} - positions.keys())
    outcomes = set()
    for completion in itertools.product([None, *rule.choices], repeat=len(silent)):
        filled = dict(positions)
        filled.update({v: c for v, c in zip(silent, completion, strict=True) if c is not None})
        outcomes.add(reference_outcome(rule, electorate, filled))
    assert result.outcome in outcomes
    # Exact both ways: settled iff every completion gives the same outcome.
    assert result.settled is (outcomes == {result.outcome})


@FAST
@given(st.data())
def test_more_support_never_makes_the_outcome_worse(data: st.DataObject) -> None:
    rule = data.draw(rules())
    electorate, positions = data.draw(ballots(rule))
    # Under one vote per organization a silent member listed first would take over the
    # organization's vote, which is not "more support"; so only voters who have spoken there.
    candidates = [
        e.voter_id
        for e in electorate
        if positions.get(e.voter_id) not in rule.support
        and (e.voter_id in positions or not rule.one_vote_per_organization)
    ]
    assume(candidates)
    voter = data.draw(st.sampled_from(candidates))
    choice = data.draw(st.sampled_from(rule.support))
    before = now(rule, electorate, positions)
    after = now(rule, electorate, {**positions, voter: choice})
    assert RANK[after] >= RANK[before]
    if before is Outcome.PASSED:
        assert after is Outcome.PASSED


@FAST
@given(st.data())
def test_a_standing_block_never_passes(data: st.DataObject) -> None:
    rule = data.draw(rules(blocking=True))
    electorate, positions = data.draw(ballots(rule))
    assume(electorate)
    voter = data.draw(st.sampled_from(electorate)).voter_id
    positions[voter] = data.draw(st.sampled_from(rule.blocking))
    for at_deadline in (False, True):
        result = evaluate(
            rule, electorate, positions, elapsed=timedelta(0), at_deadline=at_deadline
        )
        assert result.outcome is not Outcome.PASSED
        assert voter in result.explanation.standing_blocks


@FAST
@given(st.data())
def test_recusing_never_raises_the_support_needed(data: st.DataObject) -> None:
    rule = data.draw(rules(recusal=True))
    electorate, positions = data.draw(ballots(rule))
    assume(electorate)
    voter = data.draw(st.sampled_from(electorate)).voter_id
    assert rule.recusal is not None

    def needed(p: dict[int, str]) -> int:
        ev = evaluate(rule, electorate, p, elapsed=timedelta(0), at_deadline=False)
        return ev.explanation.support_required

    assert needed({**positions, voter: rule.recusal}) <= needed(positions)


@FAST
@given(
    st.data(),
    st.lists(st.tuples(st.integers(-3, 9), st.none() | st.integers(0, 2)), max_size=8),
    st.dictionaries(st.integers(-3, 12), st.text(max_size=3) | st.sampled_from(["c0", "recuse"])),
    st.timedeltas(min_value=timedelta(days=-1), max_value=timedelta(days=30)),
    st.booleans(),
)
def test_evaluate_is_total(
    data: st.DataObject,
    members: list[tuple[int, int | None]],
    positions: dict[int, str],
    elapsed: timedelta,
    at_deadline: bool,
) -> None:
    rule = data.draw(rules())
    electorate = [Elector(v, org) for v, org in members]  # duplicates and strangers included
    result = evaluate(rule, electorate, positions, elapsed=elapsed, at_deadline=at_deadline)
    e = result.explanation
    assert json.loads(json.dumps(result.to_dict())) == result.to_dict()
    assert e.voted + e.not_voted == e.electorate
    assert e.lines
    assert all(isinstance(line, str) for line in e.lines)
    if at_deadline:
        assert result.may_close
    assert result.outcome is reference_outcome(rule, electorate, positions)


@FAST
@given(rules())
def test_rules_round_trip_through_json(rule: Rule) -> None:
    data = json.loads(json.dumps(rule.to_dict()))
    assert Rule.from_dict(data) == rule
    assert rule.describe()
