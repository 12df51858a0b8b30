"""Ratio supermajorities and turnout bands: "support at least N times against".

A *ratio* compares support with against directly, as charters write it: "3:1" (three Yes for
each No). Abstentions and silence play no part. The boundary is a flag, because charters differ:

* ``strict=False`` ("at least N times"): passes when ``support >= N * against``; exactly 3 Yes
  and 1 No passes at 3:1.
* ``strict=True`` ("exceeds N times"): passes when ``support > N * against``; 3 Yes and 1 No
  fails at 3:1, 4 Yes and 1 No passes.

Either way a ratio is never met by zero support: with nobody against, one Yes is enough, and no
votes at all never pass ("three times nothing" does not carry a motion).

A :class:`TurnoutBand` makes the ratio depend on turnout, the share of the electorate that takes
part (counted as quorum is counted: abstentions count unless the rule says otherwise). The band
that applies is the last one whose ``min_turnout`` the turnout reaches (``turnout_strict``: more
than; otherwise at least); below every band the ballot fails. Bands must be listed by rising
turnout and may only relax as turnout rises (a lower ratio, or the same ratio with the boundary
no stricter), so more participation never makes a passing ballot fail. The W3C Process's appeal
vote is the model (see :mod:`governance_engine.voting.presets`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from governance_engine.errors import RuleDefinitionError

# "majority" as a ratio: more support than against, i.e. 1:1, exceeded.
MAJORITY = (Fraction(1), True)

# No charter asks for more. The bound also catches YAML 1.1 reading an unquoted 3:1 as the
# base-60 number 181 (every a:b so read is 61 or more).
MAX_RATIO = Fraction(50)


def check_ratio(key: str, ratio: Fraction) -> None:
    """Refuse a ratio of zero or less, or above :data:`MAX_RATIO`."""
    if ratio <= 0:
        raise RuleDefinitionError(f"{key}: must be more than zero, not {ratio}", key=key)
    if ratio > MAX_RATIO:
        raise RuleDefinitionError(
            f"{key}: {format_ratio(ratio)} is more than {format_ratio(MAX_RATIO)}; in YAML, "
            "quote a ratio ('3:1'): some readers take an unquoted 3:1 for the number 181",
            key=key,
        )


def ratio_met(ratio: Fraction, strict: bool, support: int, against: int) -> bool:
    """Support reaches ``ratio`` times against; zero support never does."""
    margin = support * ratio.denominator - ratio.numerator * against
    return support >= 1 and (margin > 0 if strict else margin >= 0)


def ratio_needed(ratio: Fraction, strict: bool, against: int) -> int:
    """The least support that meets the ratio against ``against`` votes."""
    exact = ratio * against
    return max(math.floor(exact) + 1 if strict else math.ceil(exact), 1)


def format_ratio(ratio: Fraction) -> str:
    """``Fraction(3)`` -> ``"3:1"``; ``Fraction(3, 2)`` -> ``"3:2"``."""
    return f"{ratio.numerator}:{ratio.denominator}"


def ratio_words(ratio: Fraction, strict: bool, support: str, against: str) -> str:
    """``Yes at least 3 times No (3:1; exactly 3:1 passes)``; 1:1 exceeded reads as a majority."""
    if (ratio, strict) == MAJORITY:
        return f"more {support} than {against}"
    times = str(ratio) if ratio.denominator == 1 else f"{float(ratio):g}"
    if strict:
        return (
            f"more than {times} times as many {support} as {against} "
            f"({format_ratio(ratio)} exceeded; exactly {format_ratio(ratio)} fails)"
        )
    return (
        f"{support} at least {times} times {against} "
        f"({format_ratio(ratio)}; exactly {format_ratio(ratio)} passes)"
    )


def parse_ratio(key: str, value: object) -> tuple[Fraction, bool | None]:
    """A ratio from ``"3:1"``, ``3``, ``"1.5"`` or ``"majority"``, and the strictness it implies.

    Returns the ratio and ``True`` for ``"majority"`` (more support than against), else ``None``.
    """
    if value == "majority":
        return MAJORITY
    if isinstance(value, bool) or not isinstance(value, int | float | str | Fraction):
        raise RuleDefinitionError(
            f"{key}: must be a ratio such as '3:1' or 'majority', not {value!r}", key=key
        )
    text = str(value).strip()
    try:
        if ":" in text:
            left, right = text.split(":", 1)
            ratio = Fraction(left.strip()) / Fraction(right.strip())
        else:
            ratio = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise RuleDefinitionError(
            f"{key}: {value!r} is not a ratio such as '3:1' or 'majority'", key=key
        ) from None
    if ratio <= 0:
        raise RuleDefinitionError(f"{key}: must be more than zero, not {value!r}", key=key)
    return ratio, None


@dataclass(frozen=True)
class TurnoutBand:
    """From ``min_turnout`` of the electorate taking part on, support must meet ``ratio``."""

    min_turnout: Fraction
    ratio: Fraction
    ratio_strict: bool = False
    turnout_strict: bool = False

    def reached(self, taking_part: int, electorate: int) -> bool:
        """The turnout ``taking_part / electorate`` reaches this band."""
        share = self.min_turnout
        margin = taking_part * share.denominator - share.numerator * electorate
        return margin > 0 if self.turnout_strict else margin >= 0

    def least_taking_part(self, electorate: int) -> int:
        """How many must take part for this band to apply."""
        exact = self.min_turnout * electorate
        return math.floor(exact) + 1 if self.turnout_strict else math.ceil(exact)

    def turnout_words(self) -> str:
        which = "more than" if self.turnout_strict else "at least"
        return f"{which} {percent(self.min_turnout)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_turnout": str(self.min_turnout),
            "turnout_strict": self.turnout_strict,
            "ratio": format_ratio(self.ratio),
            "ratio_strict": self.ratio_strict,
        }


def percent(share: Fraction) -> str:
    """``1/20`` -> ``5%``; ``1/3`` -> ``33.33%``."""
    value = share * 100
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{float(value):.2f}%"


def check_bands(bands: object) -> tuple[TurnoutBand, ...]:
    """Refuse bands that are not :class:`TurnoutBand` values in rising turnout, each no stricter."""
    key = "turnout_bands"
    if not isinstance(bands, tuple) or not all(isinstance(b, TurnoutBand) for b in bands):
        raise RuleDefinitionError(f"{key}: must be a tuple of turnout bands", key=key)
    for band in bands:
        if not isinstance(band.min_turnout, Fraction) or not 0 <= band.min_turnout <= 1:
            raise RuleDefinitionError(f"{key}: min_turnout must be a share from 0 to 1", key=key)
        if not isinstance(band.ratio, Fraction):
            raise RuleDefinitionError(f"{key}: ratio must be a ratio such as '3:1'", key=key)
        check_ratio(key, band.ratio)
        if not isinstance(band.ratio_strict, bool) or not isinstance(band.turnout_strict, bool):
            raise RuleDefinitionError(f"{key}: the strict flags must be true or false", key=key)
        if band.min_turnout == 1 and band.turnout_strict:
            raise RuleDefinitionError(
                f"{key}: a turnout of more than 100% can never be reached", key=key
            )
    for lower, upper in itertools.pairwise(bands):
        if (upper.min_turnout, upper.turnout_strict) <= (lower.min_turnout, lower.turnout_strict):
            raise RuleDefinitionError(
                f"{key}: bands must be listed by rising min_turnout "
                f"({lower.turnout_words()} then {upper.turnout_words()})",
                key=key,
            )
        if upper.ratio > lower.ratio or (
            upper.ratio == lower.ratio and upper.ratio_strict and not lower.ratio_strict
        ):
            raise RuleDefinitionError(
                f"{key}: a band for higher turnout may not ask for more "
                f"({format_ratio(lower.ratio)} then {format_ratio(upper.ratio)}): more "
                "participation must never turn a pass into a failure",
                key=key,
            )
    return bands


def band_for(bands: Sequence[TurnoutBand], taking_part: int, electorate: int) -> TurnoutBand | None:
    """The band that applies at this turnout; ``None`` below every band."""
    found = None
    for band in bands:
        if band.reached(taking_part, electorate):
            found = band
    return found
