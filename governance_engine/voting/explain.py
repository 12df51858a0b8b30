"""The explainer: "what does this ballot still need to pass?" in words and numbers (DESIGN §5).

An :class:`Explanation` carries the numbers behind an evaluation (counts, quorum, base,
support needed, blocks) and the same story as sentences, so an API can return both and a
decision record can quote the words.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from governance_engine.voting._describe import (
    base_words,
    either,
    share_words,
    threshold_words,
)
from governance_engine.voting._tally import (
    Checks,
    Roll,
    Tally,
    base,
    checks,
    choice_effect,
    electorate_share_count,
    quorum_count,
    quorum_required,
    support_required,
    threshold_count,
    turnout_band,
)
from governance_engine.voting.ballot import Outcome
from governance_engine.voting.ratio import percent, ratio_needed, ratio_words
from governance_engine.voting.rule import QuorumBasis, Rule


@dataclass(frozen=True)
class Explanation:
    """The numbers behind an evaluation, and the same in words.

    With ``one_vote_per_organization`` the electorate, quorum and vote numbers count voting
    units (organizations, and electors without one); ``counts`` always counts individual
    positions. ``support_required`` is the support that passes on the current base; ``missing``
    says what is still lacking, e.g. ``"needs 2 more support (Yes) from the 5 who have not
    voted"``; ``ignored`` lists voters whose positions could not count.
    """

    counts: Mapping[str, int]
    electorate: int
    voted: int
    not_voted: int
    recused: int
    counted_base: int
    quorum_required: int
    quorum_present: int
    support: int
    against: int
    support_required: int
    standing_blocks: tuple[int, ...]
    missing: tuple[str, ...]
    lines: tuple[str, ...]
    ignored: tuple[int, ...] = ()
    present: int | None = None  # at the meeting, for rules that count presence; else None

    def to_dict(self, *, hide_tally: bool = False) -> dict[str, Any]:
        """JSON-safe: mappings as objects, tuples as lists; ``present`` only when counted.

        ``hide_tally`` is for secret ballots before they close (DESIGN §5: who voted is
        visible, how they voted is not): only the participation numbers are kept.
        """
        attendance = {} if self.present is None else {"present": self.present}
        if hide_tally:
            return {
                "electorate": self.electorate,
                "voted": self.voted,
                "not_voted": self.not_voted,
                "quorum_required": self.quorum_required,
                **attendance,
                "lines": [
                    f"Electorate: {self.electorate}; {self.voted} {_have(self.voted)} voted, "
                    f"{self.not_voted} {_have(self.not_voted)} not.",
                    "Secret ballot: the tally is hidden until the ballot closes.",
                ],
            }
        return {
            "counts": dict(self.counts),
            "electorate": self.electorate,
            "voted": self.voted,
            "not_voted": self.not_voted,
            "recused": self.recused,
            "counted_base": self.counted_base,
            "quorum_required": self.quorum_required,
            "quorum_present": self.quorum_present,
            "support": self.support,
            "against": self.against,
            "support_required": self.support_required,
            "standing_blocks": list(self.standing_blocks),
            "missing": list(self.missing),
            "lines": list(self.lines),
            "ignored": list(self.ignored),
            **attendance,
        }


@dataclass(frozen=True)
class Finding:
    """What :func:`governance_engine.voting.evaluate` decided, for the explainer to word."""

    outcome: Outcome
    settled: bool
    may_close: bool
    close_reason: str
    at_deadline: bool


def build_explanation(rule: Rule, roll: Roll, t: Tally, finding: Finding) -> Explanation:
    """Put an evaluation into numbers and sentences."""
    result = checks(rule, t)
    total = t.total
    not_voted = t.electorate - total.voted
    missing = _missing(rule, roll, t, result, finding)
    ignored = tuple(dict.fromkeys((*roll.outsiders, *(v for v, _ in roll.unknown_choices))))
    lines = [
        *_count_lines(rule, roll, t),
        *_condition_lines(rule, roll, t, result, finding),
        *_ignored_lines(roll),
        *_outcome_lines(rule, not_voted, finding),
    ]
    if missing:
        lines.append("Still needed: " + "; ".join(missing) + ".")
    return Explanation(
        counts=MappingProxyType(dict(roll.counts)),
        electorate=t.electorate,
        voted=total.voted,
        not_voted=not_voted,
        recused=total.recused,
        counted_base=base(rule, t),
        quorum_required=quorum_required(rule, t.electorate),
        quorum_present=quorum_count(rule, total),
        support=total.support,
        against=total.against,
        support_required=support_required(rule, t),
        standing_blocks=roll.standing_blocks,
        missing=tuple(missing),
        lines=tuple(lines),
        ignored=ignored,
        present=total.present if rule.counts_presence else None,
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _have(n: int) -> str:
    return "has" if n == 1 else "have"


def _silent(n: int) -> str:
    return f"the {n} who {_have(n)} not voted"


def _noun(rule: Rule) -> str:
    return "voting unit" if rule.one_vote_per_organization else "voter"


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


def _count_lines(rule: Rule, roll: Roll, t: Tally) -> list[str]:
    total = t.total
    lines = [
        f"Electorate: {_plural(t.electorate, _noun(rule))}; {total.voted} "
        f"{_have(total.voted)} taken a position ({total.recused} recused), "
        f"{t.electorate - total.voted} {_have(t.electorate - total.voted)} not."
    ]
    if rule.one_vote_per_organization:
        lines.append(
            "One counted vote per organization: that of its first-listed member who has taken "
            "a position; electors without an organization count alone."
        )
    counts = ", ".join(f"{rule.label(c)} {roll.counts[c]}" for c in rule.choices)
    lines.append(f"Positions: {counts}.")
    return lines


def _condition_lines(
    rule: Rule, roll: Roll, t: Tally, result: Checks, finding: Finding
) -> list[str]:
    total = t.total
    support = either(rule, rule.support)
    against = either(rule, rule.against)
    lines: list[str] = []
    quorum = quorum_required(rule, t.electorate)
    counted = quorum_count(rule, total)
    if rule.counts_presence:
        lines.append(f"Present at the meeting: {total.present} of {t.electorate}.")
    if quorum or rule.quorum_share or rule.quorum_min:
        verb = ("is" if counted == 1 else "are") if _by_presence(rule) else _have(counted)
        lines.append(
            f"Quorum: {quorum} of {t.electorate} must {_quorum_verb(rule)}; {counted} {verb} "
            f"({_met(result.quorum)})."
        )
    if rule.threshold or rule.threshold_strict:
        need = threshold_count(rule, base(rule, t))
        lines.append(
            f"Threshold: {threshold_words(rule)}; {support} {total.support} of {base(rule, t)} "
            f"counted ({base_words(rule.threshold_base)}), {need} needed "
            f"({_met(result.threshold)})."
        )
    if rule.min_yes:
        lines.append(
            f"At least {rule.min_yes} {either(rule, rule.yes_choices)} needed; {total.yes} so far "
            f"({_met(result.min_yes)})."
        )
    if rule.support_must_exceed_against:
        lines.append(
            f"More {support} than {against} needed: {total.support} against {total.against} "
            f"({_met(result.exceed)})."
        )
    if rule.min_support_share_of_electorate:
        share = share_words(rule.min_support_share_of_electorate)
        lines.append(
            f"{support} from at least {share} of the electorate less recused needed: "
            f"{electorate_share_count(rule, t)}; {total.support} so far "
            f"({_met(result.electorate_share)})."
        )
    if rule.ratio is not None:
        need = ratio_needed(rule.ratio, rule.ratio_strict, total.against)
        lines.append(
            f"Ratio: {ratio_words(rule.ratio, rule.ratio_strict, support, against)}; "
            f"{total.support} {support} against {total.against} {against}, {need} needed "
            f"({_met(result.ratio)})."
        )
    if rule.turnout_bands:
        lines.append(_band_line(rule, t, result, support, against))
    if rule.max_no is not None:
        lines.append(
            f"No more than {rule.max_no} {against} allowed; {total.against} so far "
            f"({_met(result.max_no)})."
        )
    if roll.standing_blocks:
        lines.append("Standing blocks: " + ", ".join(_blocks(rule, roll)) + ".")
    elif rule.blocking:
        lines.append(f"No {either(rule, rule.blocking)} stands.")
    if rule.lazy_consensus:
        reached = "has been reached" if finding.at_deadline else "has not been reached"
        lines.append(
            f"Lazy consensus: passes at the deadline unless a block stands; the deadline {reached}."
        )
    return lines


def _by_presence(rule: Rule) -> bool:
    return rule.quorum_basis is QuorumBasis.PRESENT


def _quorum_verb(rule: Rule) -> str:
    return "be present" if _by_presence(rule) else "take part"


def _band_line(rule: Rule, t: Tally, result: Checks, support: str, against: str) -> str:
    taking_part = quorum_count(rule, t.total)
    turnout = f"{taking_part} of {t.electorate}"
    if t.electorate:
        turnout += f" ({percent(Fraction(taking_part, t.electorate))})"
    band = turnout_band(rule, t)
    if band is None:
        lowest = rule.turnout_bands[0]
        return (
            f"Turnout: {turnout}; it must reach {lowest.turnout_words()} "
            f"({lowest.least_taking_part(t.electorate)} of {t.electorate}) or the ballot fails "
            "(not met)."
        )
    need = ratio_needed(band.ratio, band.ratio_strict, t.total.against)
    return (
        f"Turnout: {turnout}, in the band for {band.turnout_words()}: "
        f"{ratio_words(band.ratio, band.ratio_strict, support, against)}; {t.total.support} "
        f"{support} against {t.total.against} {against}, {need} needed ({_met(result.bands)})."
    )


def _blocks(rule: Rule, roll: Roll) -> list[str]:
    return [f"voter {v} ({rule.label(roll.positions[v])})" for v in roll.standing_blocks]


def _ignored_lines(roll: Roll) -> list[str]:
    lines = []
    if roll.outsiders:
        voters = ", ".join(str(v) for v in roll.outsiders)
        lines.append(f"Ignored: positions from voters not in the electorate: {voters}.")
    for voter, choice in roll.unknown_choices:
        lines.append(f"Ignored: voter {voter} chose {choice!r}, which this rule does not offer.")
    for voter in dict.fromkeys(roll.duplicates):
        lines.append(
            f"Note: voter {voter} is listed more than once in the electorate; counted once."
        )
    return lines


def _outcome_lines(rule: Rule, not_voted: int, finding: Finding) -> list[str]:
    if rule.lazy_consensus and not finding.at_deadline:
        lines = [f"Outcome at the deadline if nothing changes: {finding.outcome.value}."]
    else:
        lines = [f"Outcome if closed now: {finding.outcome.value}."]
    if finding.settled:
        lines.append(
            f"Settled: whatever {_silent(not_voted)} do, the outcome stays "
            f"{finding.outcome.value} (positions already given held as they are)."
        )
    else:
        lines.append("Not settled: the electors who have not voted can still change the outcome.")
    lines.append(
        ("May close now: " if finding.may_close else "May not close yet: ")
        + finding.close_reason
        + "."
    )
    return lines


def _missing(rule: Rule, roll: Roll, t: Tally, result: Checks, finding: Finding) -> list[str]:
    """What stands between the ballot and passing, one item each."""
    total = t.total
    missing: list[str] = []
    waiting = sum(1 for u in roll.units if u.counted_choice is None)
    if not result.quorum:
        quorum = quorum_required(rule, t.electorate)
        present = quorum_count(rule, total)
        verb = ("is" if present == 1 else "are") if _by_presence(rule) else _have(present)
        item = f"quorum: {quorum} of {t.electorate} must {_quorum_verb(rule)}, {present} {verb}"
        # Members may still arrive at a meeting, so a presence quorum is never out of reach.
        if not _by_presence(rule) and quorum - present > waiting:
            item += f" (only {waiting} {_have(waiting)} not voted, so it cannot be reached)"
        missing.append(item)
    for block in _blocks(rule, roll):
        missing.append(f"a block by {block} stands")
    if not result.max_no:
        missing.append(
            f"too many against: {total.against} {either(rule, rule.against)}, "
            f"at most {rule.max_no} allowed"
        )
    if not result.support_ok:
        missing.append(_support_missing(rule, roll, t, result))
    if rule.lazy_consensus and not finding.at_deadline and finding.outcome is Outcome.PASSED:
        missing.append("the deadline: lazy consensus passes only once the deadline is reached")
    return missing


def _support_missing(rule: Rule, roll: Roll, t: Tally, result: Checks) -> str:
    # Extra support is imagined as Yes votes from those who have not voted: that grows the
    # vote-cast bases too, so count up. A silent member already at a meeting adds no one to the
    # room: try them first and last, keep the fewer (presence helps quorum, hurts a present base).
    yes = choice_effect(rule, rule.yes_choices[0])
    here = dataclasses.replace(yes, present=0)
    what = either(rule, rule.yes_choices) if not result.min_yes else either(rule, rule.support)
    attending = [bool(u.attending) for u in roll.units if u.counted_choice is None]
    waiting = len(attending)
    fewest: int | None = None
    for order in (sorted(attending, reverse=True), sorted(attending)):
        total = t.total
        for extra, present in enumerate(order, 1):
            total = total + (here if present else yes)
            if checks(rule, Tally(t.electorate, total)).support_ok:
                fewest = extra if fewest is None else min(fewest, extra)
                break
    if fewest is not None:
        return f"needs {fewest} more support ({what}) from {_silent(waiting)}"
    return (
        f"support ({what}) cannot be reached from {_silent(waiting)}: "
        "positions already given must change"
    )
