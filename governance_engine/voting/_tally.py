"""Counting: positions into voting units, units into a tally, a tally into an outcome.

A *voting unit* is one elector, or under ``one_vote_per_organization`` one organization (see
:mod:`governance_engine.voting.rule` for which member's position counts). Every unit
contributes an :class:`Effect`, a small vector of 0/1 counts; a :class:`Tally` is their sum.
All pass conditions are linear in the tally, which is what lets :mod:`._settle` decide exactly
whether the outcome can still change.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from governance_engine.voting.ballot import Elector, Outcome
from governance_engine.voting.ratio import TurnoutBand, band_for, ratio_met, ratio_needed
from governance_engine.voting.rule import QuorumBasis, Rule, ThresholdBase


@dataclass(frozen=True)
class Effect:
    """What one unit adds to the tally; a tally's total is the sum of its units' effects."""

    took_part: int = 0  # counts toward quorum
    voted: int = 0  # has a counted position, recusal included
    recused: int = 0
    abstained: int = 0
    support: int = 0
    yes: int = 0  # counts toward min_yes
    against: int = 0
    cast: int = 0  # in the "cast" base (every vote but a recusal)
    cast_excl: int = 0  # in the "cast excluding abstentions" base
    blocked: int = 0  # the unit holds at least one standing block
    present: int = 0  # at the meeting: on the attendance list, or has taken a position

    def __add__(self, other: Effect) -> Effect:
        return Effect(*(getattr(self, f) + getattr(other, f) for f in _EFFECT_FIELDS))

    def value(self, coefficients: Mapping[str, int]) -> int:
        """A linear form of this effect, e.g. ``{"support": 3, "cast": -2}``."""
        return sum(c * getattr(self, name) for name, c in coefficients.items())


_EFFECT_FIELDS = tuple(f.name for f in dataclasses.fields(Effect))
NO_EFFECT = Effect()


def choice_effect(
    rule: Rule, choice: str | None, *, blocked: bool = False, present: bool = False
) -> Effect:
    """The effect of a unit whose counted position is ``choice`` (``None``: not voted).

    ``present`` says whether a unit that has not voted is at the meeting; one that has voted is.
    """
    if choice is None:
        return Effect(blocked=int(blocked), present=int(present))
    if choice == rule.recusal:
        return Effect(
            took_part=int(rule.quorum_counts_recusals),
            voted=1,
            recused=1,
            blocked=int(blocked),
            present=1,
        )
    abstains = choice in rule.abstain
    return Effect(
        took_part=int(not abstains or rule.quorum_counts_abstentions),
        voted=1,
        abstained=int(abstains),
        support=int(choice in rule.support),
        yes=int(choice in rule.yes_choices),
        against=int(choice in rule.against),
        cast=1,
        cast_excl=int(not abstains),
        blocked=int(blocked or choice in rule.blocking),
        present=1,
    )


@dataclass(frozen=True)
class Unit:
    """One voting unit as it stands: the counted position and who could still change it.

    ``before`` counts members who have not voted and are listed before the counted member
    (all of the unit's members when nobody has voted): any of them voting takes over the
    unit's vote. ``after`` counts members who have not voted listed after it: they can only
    add blocks.
    """

    members: tuple[int, ...]
    counted_voter: int | None
    counted_choice: str | None
    before: int
    after: int
    blocked: bool
    attending: bool | None = None  # on the meeting's attendance list; None: not a meeting

    def effect(self, rule: Rule) -> Effect:
        return choice_effect(
            rule, self.counted_choice, blocked=self.blocked, present=bool(self.attending)
        )


@dataclass(frozen=True)
class Roll:
    """The electorate and positions sorted into units, with what had to be ignored."""

    units: tuple[Unit, ...]
    positions: Mapping[int, str]  # the positions that count: electors, known choices
    counts: Mapping[str, int]
    standing_blocks: tuple[int, ...]
    outsiders: tuple[int, ...]  # positions from voters not in the electorate
    unknown_choices: tuple[tuple[int, str], ...]  # positions whose choice the rule lacks
    duplicates: tuple[int, ...]  # voter ids listed more than once in the electorate


def sort_into_units(
    rule: Rule,
    electorate: Sequence[Elector],
    positions: Mapping[int, str],
    present: Collection[int] | int | None = None,
) -> Roll:
    """Group electors into voting units and keep only positions that can count.

    ``present`` is the meeting's attendance: the voter ids present, or how many voting units
    are (then the units that have voted, and after them silent units in electorate order, are
    taken as the ones present); ``None`` when the vote is not taken in a meeting. People
    present who are not in the electorate do not count.
    """
    seen: set[int] = set()
    duplicates: list[int] = []
    groups: dict[tuple[str, int], list[int]] = {}
    for elector in electorate:
        if elector.voter_id in seen:
            duplicates.append(elector.voter_id)
            continue
        seen.add(elector.voter_id)
        if rule.one_vote_per_organization and elector.organization_id is not None:
            key = ("organization", elector.organization_id)
        else:
            key = ("voter", elector.voter_id)
        groups.setdefault(key, []).append(elector.voter_id)

    valid: dict[int, str] = {}
    unknown: list[tuple[int, str]] = []
    outsiders: list[int] = []
    for voter, choice in positions.items():
        if voter not in seen:
            outsiders.append(voter)
        elif isinstance(choice, str) and choice in rule.choices:
            valid[voter] = choice
        else:
            unknown.append((voter, str(choice)))

    counts = dict.fromkeys(rule.choices, 0)
    for choice in valid.values():
        counts[choice] += 1
    units = tuple(_unit(rule, tuple(members), valid) for members in groups.values())
    if present is not None:
        units = _attendance(units, present)
    ordered_voters = [voter for members in groups.values() for voter in members]
    blocks = tuple(v for v in ordered_voters if valid.get(v) in rule.blocking)
    return Roll(
        units=units,
        positions=valid,
        counts=counts,
        standing_blocks=blocks,
        outsiders=tuple(outsiders),
        unknown_choices=tuple(unknown),
        duplicates=tuple(duplicates),
    )


def _unit(rule: Rule, members: tuple[int, ...], valid: Mapping[int, str]) -> Unit:
    blocked = any(valid.get(m) in rule.blocking for m in members)
    for index, member in enumerate(members):
        if member in valid:
            after = sum(1 for m in members[index + 1 :] if m not in valid)
            return Unit(members, member, valid[member], index, after, blocked)
    return Unit(members, None, None, len(members), 0, blocked)


def _attendance(units: tuple[Unit, ...], present: Collection[int] | int) -> tuple[Unit, ...]:
    if isinstance(present, int):
        voted = sum(1 for u in units if u.counted_choice is not None)
        room = max(present, 0) - voted
        marked: list[Unit] = []
        for unit in units:
            here = unit.counted_choice is not None or room > 0
            if unit.counted_choice is None and room > 0:
                room -= 1
            marked.append(dataclasses.replace(unit, attending=here))
        return tuple(marked)
    listed = set(present)
    return tuple(
        dataclasses.replace(
            u, attending=u.counted_choice is not None or any(m in listed for m in u.members)
        )
        for u in units
    )


@dataclass(frozen=True)
class Tally:
    """The electorate size (in units) and the summed effects of all units."""

    electorate: int
    total: Effect


def tally(rule: Rule, units: Sequence[Unit]) -> Tally:
    """The tally of the units as they stand."""
    total = NO_EFFECT
    for unit in units:
        total = total + unit.effect(rule)
    return Tally(len(units), total)


def quorum_count(rule: Rule, effect: Effect) -> int:
    """What quorum and turnout count: members taking part, or members present."""
    return effect.present if rule.quorum_basis is QuorumBasis.PRESENT else effect.took_part


def quorum_required(rule: Rule, electorate: int) -> int:
    """How many units must take part: the larger of the share (rounded up) and the minimum."""
    return max(math.ceil(rule.quorum_share * electorate), rule.quorum_min)


def base(rule: Rule, t: Tally) -> int:
    """The number the threshold share is taken of."""
    if rule.threshold_base is ThresholdBase.CAST:
        return t.total.cast
    if rule.threshold_base is ThresholdBase.CAST_EXCLUDING_ABSTENTIONS:
        return t.total.cast_excl
    if rule.threshold_base is ThresholdBase.PRESENT:
        return t.total.present - t.total.recused
    return t.electorate - t.total.recused


def threshold_met(rule: Rule, support: int, base_count: int) -> bool:
    """Support reaches the threshold share of the base; zero support never meets a share."""
    share = rule.threshold
    if share == 0:
        return support >= 1 if rule.threshold_strict else True
    margin = support * share.denominator - share.numerator * base_count
    if rule.threshold_strict and not rule.tie_passes:
        return margin > 0
    return margin >= 0 and support >= 1


def threshold_count(rule: Rule, base_count: int) -> int:
    """The least support that meets the threshold on this base."""
    share = rule.threshold
    if share == 0:
        return 1 if rule.threshold_strict else 0
    exact = share * base_count
    if rule.threshold_strict and not rule.tie_passes:
        return math.floor(exact) + 1
    return max(math.ceil(exact), 1)


def electorate_share_count(rule: Rule, t: Tally) -> int:
    """Support needed by ``min_support_share_of_electorate`` (of the electorate less recused)."""
    return math.ceil(rule.min_support_share_of_electorate * (t.electorate - t.total.recused))


def turnout_band(rule: Rule, t: Tally) -> TurnoutBand | None:
    """The turnout band that applies to this tally (``None``: below every band)."""
    return band_for(rule.turnout_bands, quorum_count(rule, t.total), t.electorate)


def bands_met(rule: Rule, t: Tally) -> bool:
    """The turnout bands' condition: turnout reaches a band and support meets its ratio."""
    if not rule.turnout_bands:
        return True
    band = turnout_band(rule, t)
    if band is None:
        return False
    return ratio_met(band.ratio, band.ratio_strict, t.total.support, t.total.against)


def exceed_met(rule: Rule, support: int, against: int) -> bool:
    """Support exceeds against; a tie passes only with ``tie_passes`` and some support."""
    if rule.tie_passes:
        return support >= against and support >= 1
    return support > against


def support_required(rule: Rule, t: Tally) -> int:
    """The least support that meets every support requirement on the current base.

    Threshold, ``min_yes`` (if over the support choices), more than against, the electorate
    share, the ratio, and the turnout band that applies (below every band: the lowest, with the
    turnout it lacks made up by support).
    """
    needed = threshold_count(rule, base(rule, t))
    against = t.total.against
    if rule.ratio is not None:
        needed = max(needed, ratio_needed(rule.ratio, rule.ratio_strict, against))
    band = turnout_band(rule, t)
    if rule.turnout_bands and band is None:
        band = rule.turnout_bands[0]
        lacking = band.least_taking_part(t.electorate) - quorum_count(rule, t.total)
        needed = max(needed, t.total.support + lacking)
    if band is not None:
        needed = max(needed, ratio_needed(band.ratio, band.ratio_strict, against))
    if set(rule.yes_choices) == set(rule.support):
        needed = max(needed, rule.min_yes)
    if rule.support_must_exceed_against:
        needed = max(needed, t.total.against if rule.tie_passes else t.total.against + 1, 1)
    return max(needed, electorate_share_count(rule, t))


@dataclass(frozen=True)
class Checks:
    """Each part of the pass condition, held or not."""

    quorum: bool
    no_block: bool
    threshold: bool
    min_yes: bool
    max_no: bool
    exceed: bool
    electorate_share: bool
    ratio: bool = True
    bands: bool = True

    @property
    def support_ok(self) -> bool:
        """The parts more support can fix."""
        return (
            self.threshold
            and self.min_yes
            and self.exceed
            and self.electorate_share
            and self.ratio
            and self.bands
        )

    @property
    def passes(self) -> bool:
        return self.quorum and self.no_block and self.max_no and self.support_ok


def checks(rule: Rule, t: Tally) -> Checks:
    """Evaluate every part of the rule's pass condition on a tally."""
    s, n = t.total.support, t.total.against
    share: Fraction = rule.min_support_share_of_electorate
    return Checks(
        quorum=quorum_count(rule, t.total) >= quorum_required(rule, t.electorate),
        no_block=t.total.blocked == 0,
        threshold=threshold_met(rule, s, base(rule, t)),
        min_yes=t.total.yes >= rule.min_yes,
        max_no=rule.max_no is None or n <= rule.max_no,
        exceed=not rule.support_must_exceed_against or exceed_met(rule, s, n),
        electorate_share=share == 0 or s >= electorate_share_count(rule, t),
        ratio=rule.ratio is None or ratio_met(rule.ratio, rule.ratio_strict, s, n),
        bands=bands_met(rule, t),
    )


def verdict(rule: Rule, t: Tally) -> Outcome:
    """The outcome a tally gives: no quorum first, then pass or fail."""
    result = checks(rule, t)
    if not result.quorum:
        return Outcome.NO_QUORUM
    return Outcome.PASSED if result.passes else Outcome.FAILED
