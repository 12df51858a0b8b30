"""Evaluate a ballot under its rule: a pure, total function (DESIGN §5, STYLE 7).

Tally and rule in, outcome and explanation out: no session, no clock. The caller says how long
the ballot has been open and whether its deadline has passed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from governance_engine.voting._describe import duration_words
from governance_engine.voting._settle import is_settled
from governance_engine.voting._tally import sort_into_units, tally, verdict
from governance_engine.voting.ballot import Elector, Outcome
from governance_engine.voting.explain import Explanation, Finding, build_explanation
from governance_engine.voting.rule import Rule


@dataclass(frozen=True)
class Evaluation:
    """Where a ballot stands.

    ``outcome``: what the rule gives for the current positions, i.e. the result if the ballot
    closed now. For lazy consensus it is the result the deadline will give if nothing changes
    (``passed`` unless a block stands); such a ballot may only close as passed at the deadline,
    which ``may_close`` enforces, so callers must only close when ``may_close`` is true.

    ``settled``: holding every position already given fixed, nothing the electors who have not
    voted yet do (vote any way, or not at all) changes ``outcome``. Positions can still change
    while the ballot is open; rules that must allow for that keep ``close_early`` off.

    ``may_close``: the rule allows closing now: the deadline has been reached; or the outcome is
    settled and ``close_early`` is on; or it is passing and ``close_on_pass_after`` has elapsed.
    Lazy consensus passes only at the deadline (with ``close_early`` it may close early only on
    a settled failure).
    """

    outcome: Outcome
    settled: bool
    may_close: bool
    explanation: Explanation

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe."""
        return {
            "outcome": self.outcome.value,
            "settled": self.settled,
            "may_close": self.may_close,
            "explanation": self.explanation.to_dict(),
        }


def evaluate(
    rule: Rule,
    electorate: Sequence[Elector],
    positions: Mapping[int, str],
    *,
    elapsed: timedelta,
    at_deadline: bool,
    present: Collection[int] | int | None = None,
) -> Evaluation:
    """Apply ``rule`` to the current ``positions`` of a ballot's frozen ``electorate``.

    ``positions`` maps voter id to current choice. Positions of voters outside the electorate,
    and choices the rule does not offer, are ignored and named in the explanation. An
    electorate listing a voter twice counts them once. Never raises for a valid rule.

    ``present`` is for votes taken in a meeting: the voter ids present (or how many voting
    units are present); ``None``, the default, when the vote is not taken in a meeting. Only
    rules that count presence (``quorum_basis`` or ``threshold_base`` ``present``) read it. A
    member who has taken a position counts as present either way; members not yet present may
    still arrive, which :attr:`Evaluation.settled` allows for.
    """
    roll = sort_into_units(rule, electorate, positions, present)
    current = tally(rule, roll.units)
    outcome = verdict(rule, current)
    settled = is_settled(rule, roll.units)
    may_close, reason = _may_close(rule, outcome, settled, elapsed, at_deadline)
    explanation = build_explanation(
        rule, roll, current, Finding(outcome, settled, may_close, reason, at_deadline)
    )
    return Evaluation(outcome, settled, may_close, explanation)


def _may_close(
    rule: Rule, outcome: Outcome, settled: bool, elapsed: timedelta, at_deadline: bool
) -> tuple[bool, str]:
    """Whether the rule lets the ballot close now, and why (DESIGN §5, duration and closing)."""
    if at_deadline:
        return True, "the deadline has been reached"
    if rule.lazy_consensus:
        # Consent by silence only exists once the whole period has passed.
        if settled and rule.close_early and outcome is not Outcome.PASSED:
            return True, f"the outcome is settled ({outcome.value}) and the rule closes early"
        return False, "lazy consensus is decided at the deadline"
    if settled and rule.close_early:
        return True, f"the outcome is settled ({outcome.value}) and the rule closes early"
    wait = rule.close_on_pass_after
    if outcome is Outcome.PASSED and wait is not None:
        if elapsed >= wait:
            return True, f"it is passing and the minimum wait of {duration_words(wait)} is over"
        return False, f"it is passing, but the minimum wait of {duration_words(wait)} is not over"
    if settled:
        return False, "the outcome is settled, but this rule waits for the deadline"
    return False, "the outcome can still change before the deadline"
