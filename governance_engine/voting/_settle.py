"""Is the outcome settled? Exactly, without enumerating every way the rest could vote.

*Settled* means: holding every position already given fixed, no way the electors who have not
voted yet could vote (or not vote) changes the outcome. That is what "close early when the
outcome can no longer change" (DESIGN §5) needs. A voter may still change position while the
ballot is open; a rule that must wait for that says so with ``close_early=False``.

Each unit that is still open can end in a handful of *states* (effects); a unit that cannot
change has one. The outcome is a function of the summed effects, and every part of the pass
condition is linear in them, and taking part is 0 or 1 per unit. So:

* ``no_quorum`` is reachable iff the fewest possible units taking part is below quorum;
* ``passed`` is reachable iff it is reached when every open unit takes its *best* state, one
  that is at least as good as every other on every coordinate the pass condition grows with
  (by rule validation, voting the first Yes choice is such a state);
* ``failed`` is reachable (when no completion loses quorum) iff, for one negated part of the
  pass condition ``f <= bound``, the least ``f`` over completions is within bound; a linear
  sum over independent units is least when each unit takes its own least state.

Turnout bands (a ratio that depends on turnout) are the one part that is not linear: there the
``failed`` test over-approximates (see :func:`negated_conditions`), which can only answer "not
settled" where a closer look would say settled. At a meeting, a member not yet present may still
arrive without voting; that is one more state of their unit.

Were no best state to exist (impossible for a validated rule; kept as a guard) the answer is
"not settled", which can only delay an early close, never cause a wrong one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from fractions import Fraction

from governance_engine.voting._tally import (
    NO_EFFECT,
    Effect,
    Tally,
    Unit,
    choice_effect,
    quorum_count,
    quorum_required,
    verdict,
)
from governance_engine.voting.ballot import Outcome
from governance_engine.voting.ratio import band_for
from governance_engine.voting.rule import Rule, ThresholdBase

LinearForm = Mapping[str, int]


def is_settled(rule: Rule, units: Sequence[Unit]) -> bool:
    """True when no completion of the missing positions changes the outcome."""
    electorate = len(units)
    fixed = NO_EFFECT
    open_states: list[list[Effect]] = []
    for unit in units:
        states = unit_states(rule, unit)
        if len(states) == 1:
            fixed = fixed + states[0]
        else:
            open_states.append(states)
    current = verdict(rule, Tally(electorate, sum((u.effect(rule) for u in units), NO_EFFECT)))
    if not open_states:
        return True
    quorum = quorum_required(rule, electorate)
    counted = quorum_count(rule, fixed)
    fewest = counted + sum(min(quorum_count(rule, s) for s in states) for states in open_states)
    most = counted + sum(max(quorum_count(rule, s) for s in states) for states in open_states)
    if current is Outcome.NO_QUORUM:
        return most < quorum
    if fewest < quorum:
        return False
    if current is Outcome.FAILED:
        return not _pass_reachable(rule, electorate, fixed, open_states)
    return not _fail_reachable(rule, electorate, fixed, open_states, fewest)


def unit_states(rule: Rule, unit: Unit) -> list[Effect]:
    """Every effect ``unit`` can end with, given who in it has not voted yet."""
    current = unit.effect(rule)
    arriving = unit.attending is False and unit.counted_choice is None
    if unit.before == 0 and unit.after == 0 and not arriving:
        return [current]
    states = {current}
    if unit.after and rule.blocking:
        states.add(dataclasses.replace(current, blocked=1))
    if arriving:
        # A meeting is under way: a member not yet present may still arrive, and not vote.
        states.add(dataclasses.replace(current, present=1))
    if unit.before:
        # Someone listed before the counted member votes and takes over the unit's vote;
        # anyone else still silent may add a block of their own.
        others = unit.before - 1 + unit.after
        for choice in rule.choices:
            effect = choice_effect(rule, choice, blocked=unit.blocked)
            states.add(effect)
            if others and rule.blocking:
                states.add(dataclasses.replace(effect, blocked=1))
    return sorted(states, key=dataclasses.astuple)


def _goodness(rule: Rule, effect: Effect) -> tuple[int, ...]:
    """Coordinates the pass condition (and quorum) never decrease in.

    Quorum and turnout both count :func:`quorum_count`; turnout bands only relax as it grows
    (rule validation), and a ratio grows with support and falls with against.
    """
    share = rule.threshold
    if rule.threshold_base is ThresholdBase.CAST:
        in_base = effect.cast
    elif rule.threshold_base is ThresholdBase.CAST_EXCLUDING_ABSTENTIONS:
        in_base = effect.cast_excl
    elif rule.threshold_base is ThresholdBase.PRESENT:
        in_base = effect.present - effect.recused
    else:
        in_base = -effect.recused
    e_share = rule.min_support_share_of_electorate
    return (
        quorum_count(rule, effect),
        -effect.blocked,
        -effect.against,
        effect.support,
        effect.yes,
        share.denominator * effect.support - share.numerator * in_base,
        e_share.denominator * effect.support + e_share.numerator * effect.recused,
    )


def _best(rule: Rule, states: Sequence[Effect]) -> Effect | None:
    keyed = [(_goodness(rule, s), s) for s in states]
    for key, state in keyed:
        if all(all(a >= b for a, b in zip(key, other, strict=True)) for other, _ in keyed):
            return state
    return None


def _pass_reachable(
    rule: Rule, electorate: int, fixed: Effect, open_states: Sequence[Sequence[Effect]]
) -> bool:
    total = fixed
    for states in open_states:
        best = _best(rule, states)
        if best is None:
            return True  # cannot rule a pass out cheaply: answer "not settled", the safe side
        total = total + best
    return verdict(rule, Tally(electorate, total)) is Outcome.PASSED


def _fail_reachable(
    rule: Rule,
    electorate: int,
    fixed: Effect,
    open_states: Sequence[Sequence[Effect]],
    fewest: int,
) -> bool:
    # Called only once the fewest possible taking part still make quorum, so every
    # completion has quorum and each negated condition can be minimised unit by unit.
    for form, bound in negated_conditions(rule, electorate, fewest_taking_part=fewest):
        least = fixed.value(form) + sum(
            min(s.value(form) for s in states) for states in open_states
        )
        if least <= bound:
            return True
    return False


def negated_conditions(
    rule: Rule, electorate: int, *, fewest_taking_part: int = 0
) -> list[tuple[LinearForm, int]]:
    """Each way the pass condition can fail, as ``form(total) <= bound``.

    Turnout bands are not linear; they are over-approximated (safe: it can only say "a failure
    is reachable" too often, which delays an early close). ``fewest_taking_part`` is the least
    turnout count any completion can have: below every band fails outright; otherwise the band
    applying there is the strictest any completion can meet, and its ratio is used.
    """
    out: list[tuple[LinearForm, int]] = []
    if rule.blocking:
        out.append(({"blocked": -1}, -1))
    share = rule.threshold
    if share == 0:
        if rule.threshold_strict:
            out.append(({"support": 1}, 0))
    else:
        num, den = share.numerator, share.denominator
        # margin = den*support - num*base; the electorate base is E - recused.
        if rule.threshold_base is ThresholdBase.CAST:
            form, shift = {"support": den, "cast": -num}, 0
        elif rule.threshold_base is ThresholdBase.CAST_EXCLUDING_ABSTENTIONS:
            form, shift = {"support": den, "cast_excl": -num}, 0
        elif rule.threshold_base is ThresholdBase.PRESENT:
            form, shift = {"support": den, "present": -num, "recused": num}, 0
        else:
            form, shift = {"support": den, "recused": num}, num * electorate
        if rule.threshold_strict and not rule.tie_passes:
            out.append((form, shift))
        else:
            out.append((form, shift - 1))
            out.append(({"support": 1}, 0))
    if rule.min_yes:
        out.append(({"yes": 1}, rule.min_yes - 1))
    if rule.max_no is not None:
        out.append(({"against": -1}, -(rule.max_no + 1)))
    if rule.support_must_exceed_against:
        if rule.tie_passes:
            out.append(({"support": 1, "against": -1}, -1))
            out.append(({"support": 1}, 0))
        else:
            out.append(({"support": 1, "against": -1}, 0))
    e_share = rule.min_support_share_of_electorate
    if e_share:
        num, den = e_share.numerator, e_share.denominator
        out.append(({"support": den, "recused": num}, num * electorate - 1))
    if rule.ratio is not None:
        out.extend(_ratio_failures(rule.ratio, rule.ratio_strict))
    if rule.turnout_bands:
        band = band_for(rule.turnout_bands, fewest_taking_part, electorate)
        if band is None:
            out.append(({}, 0))  # the fewest taking part are below every band: that fails
        else:
            out.extend(_ratio_failures(band.ratio, band.ratio_strict))
    return out


def _ratio_failures(ratio: Fraction, strict: bool) -> list[tuple[LinearForm, int]]:
    """``support`` short of ``ratio`` times ``against``, or no support at all."""
    form = {"support": ratio.denominator, "against": -ratio.numerator}
    return [(form, 0 if strict else -1), ({"support": 1}, 0)]
