"""Rules to and from JSON-safe data: what a ballot stores and what workflow YAML says.

Fractions travel as strings (``"2/3"``), durations as ISO-8601 (``"P3D"``, ``"PT12H"``; whole
seconds are also accepted), choices as a list of ``[choice, label]`` pairs (a list, because
PostgreSQL's JSONB does not keep the order of an object's keys and the order of choices is
part of the rule as people read it). :func:`rule_from_dict` is the exact inverse of
:func:`rule_to_dict`, also reads choices written as a mapping (natural in YAML) or a plain
list of names, and refuses unknown keys by name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import timedelta
from fractions import Fraction
from typing import Any

from governance_engine.errors import RuleDefinitionError
from governance_engine.voting.ratio import MAJORITY, TurnoutBand, format_ratio, parse_ratio
from governance_engine.voting.rule import QuorumBasis, Rule

# Named shares a person writes in YAML, with the strictness each implies.
NAMED_THRESHOLDS: Mapping[str, tuple[Fraction, bool]] = {
    "majority": (Fraction(1, 2), True),
    "two_thirds": (Fraction(2, 3), False),
    "unanimity": (Fraction(1), False),
    "none": (Fraction(0), False),
}

_ROLE_KEYS = ("support", "against", "abstain", "blocking", "rationale_required", "min_yes_choices")
_SHARE_KEYS = ("quorum_share", "threshold", "min_support_share_of_electorate")
_DURATION_KEYS = ("duration", "close_on_pass_after")
_FIELDS = tuple(f.name for f in dataclasses.fields(Rule) if f.name != "labels")
# Fields added after rules were first stored in ballots: written only when they differ from
# their default, so a rule stored before they existed reads back and writes out unchanged.
_LATER_FIELDS: Mapping[str, object] = {
    "ratio": None,
    "ratio_strict": False,
    "turnout_bands": (),
    "quorum_basis": QuorumBasis.TAKING_PART,
}
_ISO_DURATION = re.compile(
    r"^P(?:(?P<weeks>[0-9]+)W)?(?:(?P<days>[0-9]+)D)?"
    r"(?:T(?:(?P<hours>[0-9]+)H)?(?:(?P<minutes>[0-9]+)M)?(?:(?P<seconds>[0-9]+)S)?)?$"
)


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """Every field of ``rule``, JSON-safe, in declaration order."""
    out: dict[str, Any] = {}
    for key in _FIELDS:
        value = getattr(rule, key)
        if key in _LATER_FIELDS and value == _LATER_FIELDS[key]:
            continue
        if key == "choices":
            out[key] = [[choice, label] for choice, label in rule.labels]
        elif key in _ROLE_KEYS:
            out[key] = list(value)
        elif key in _SHARE_KEYS:
            out[key] = str(value)
        elif key in _DURATION_KEYS:
            out[key] = None if value is None else format_duration(value)
        elif key in ("threshold_base", "quorum_basis"):
            out[key] = value.value
        elif key == "ratio":
            out[key] = format_ratio(value)
        elif key == "turnout_bands":
            out[key] = [band.to_dict() for band in value]
        else:
            out[key] = value
    return out


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """Build a rule from :func:`rule_to_dict` output or hand-written YAML.

    Beyond the canonical form it accepts: ``choices`` as a list (default labels), shares as
    integers, decimals, percentages (``"5%"``) or ``"a/b"`` strings; ``ratio`` as ``"3:1"``, a
    number or ``majority`` (which also sets ``ratio_strict`` unless given); ``threshold`` by name
    (``majority``, ``two_thirds``, ``unanimity``, ``none``; the name sets ``threshold_strict``
    unless that is given); durations as whole seconds. A lazy-consensus rule that names no
    threshold gets 0.
    """
    if not isinstance(data, Mapping):
        raise RuleDefinitionError(f"a rule must be a mapping, not {type(data).__name__}")
    unknown = [key for key in data if key not in _FIELDS]
    if unknown:
        raise RuleDefinitionError(
            f"{unknown[0]}: unknown rule key; known keys: {', '.join(_FIELDS)}", key=unknown[0]
        )
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key == "choices":
            kwargs["choices"], kwargs["labels"] = _choices(value)
        elif key in _ROLE_KEYS:
            kwargs[key] = _names(key, value)
        elif key == "threshold":
            kwargs[key] = _threshold(value, data, kwargs)
        elif key in _SHARE_KEYS:
            kwargs[key] = parse_share(key, value)
        elif key in _DURATION_KEYS:
            kwargs[key] = None if value is None else parse_duration(key, value)
        elif key == "ratio":
            kwargs[key] = _ratio(value, data, kwargs)
        elif key == "turnout_bands":
            kwargs[key] = _bands(value)
        else:
            kwargs[key] = value
    if data.get("lazy_consensus") is True and "threshold" not in data:
        kwargs["threshold"] = Fraction(0)
        kwargs.setdefault("threshold_strict", False)
    return Rule(**kwargs)


def _is_pair(item: object) -> bool:
    return isinstance(item, list | tuple) and len(item) == 2


def _choices(value: object) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    if isinstance(value, list | tuple) and value and all(_is_pair(item) for item in value):
        value = dict(value)  # [[choice, label], ...]: the canonical, order-keeping form
    if isinstance(value, Mapping):
        pairs = tuple(value.items())
        for choice, label in pairs:
            if not isinstance(choice, str) or not isinstance(label, str):
                raise RuleDefinitionError(
                    f"choices: {choice!r}: {label!r} is not a choice name with a text label",
                    key="choices",
                )
        return tuple(c for c, _ in pairs), pairs
    return _names("choices", value), ()


def _names(key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise RuleDefinitionError(f"{key}: must be a list of choice names, not {value!r}", key=key)
    for item in value:
        if not isinstance(item, str):
            raise RuleDefinitionError(f"{key}: {item!r} is not a choice name", key=key)
    return tuple(value)


def _threshold(value: object, data: Mapping[str, Any], kwargs: dict[str, Any]) -> Fraction:
    if isinstance(value, str) and value in NAMED_THRESHOLDS:
        share, strict = NAMED_THRESHOLDS[value]
        if "threshold_strict" not in data:
            kwargs["threshold_strict"] = strict
        return share
    return parse_share("threshold", value)


def _ratio(value: object, data: Mapping[str, Any], kwargs: dict[str, Any]) -> Fraction | None:
    if value is None:
        return None
    ratio, strict = parse_ratio("ratio", value)
    if strict is not None and "ratio_strict" not in data:
        kwargs["ratio_strict"] = strict
    return ratio


def _bands(value: object) -> tuple[TurnoutBand, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise RuleDefinitionError(
            f"turnout_bands: must be a list of bands, not {value!r}", key="turnout_bands"
        )
    return tuple(band_from_dict("turnout_bands", item) for item in value)


_BAND_KEYS = ("min_turnout", "turnout_strict", "ratio", "ratio_strict", "majority")


def band_from_dict(key: str, data: object) -> TurnoutBand:
    """A band from ``{min_turnout: "15%", turnout_strict: true, ratio: "2:1", ratio_strict: true}``.

    ``majority: true`` stands for ``ratio: "1:1", ratio_strict: true`` (more support than against).
    """
    if not isinstance(data, Mapping):
        raise RuleDefinitionError(
            f"{key}: each band is a mapping with min_turnout and ratio, not {data!r}", key=key
        )
    unknown = [k for k in data if k not in _BAND_KEYS]
    if unknown:
        raise RuleDefinitionError(
            f"{key}: unknown band key {unknown[0]!r}; known keys: {', '.join(_BAND_KEYS)}",
            key=key,
        )
    if "min_turnout" not in data:
        raise RuleDefinitionError(f"{key}: a band needs min_turnout", key=key)
    turnout = parse_share(key, data["min_turnout"])
    majority = data.get("majority", False)
    if not isinstance(majority, bool):
        raise RuleDefinitionError(f"{key}: majority must be true or false", key=key)
    if majority == ("ratio" in data):
        raise RuleDefinitionError(f"{key}: a band needs a ratio or majority: true", key=key)
    ratio, implied = MAJORITY if majority else parse_ratio(key, data["ratio"])
    strict = data.get("ratio_strict", implied if implied is not None else False)
    turnout_strict = data.get("turnout_strict", False)
    for name, flag in (("ratio_strict", strict), ("turnout_strict", turnout_strict)):
        if not isinstance(flag, bool):
            raise RuleDefinitionError(f"{key}: {name} must be true or false", key=key)
    return TurnoutBand(turnout, ratio, strict, turnout_strict)


def parse_share(key: str, value: object) -> Fraction:
    """A share from ``"2/3"``, ``1``, ``"0.5"``, ``0.5`` (the decimal as written) or ``"5%"``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleDefinitionError(
            f"{key}: must be a fraction such as '2/3', not {value!r}", key=key
        )
    try:
        # str() first so 0.1 means one tenth as written, not the nearest binary float.
        text = str(value).strip()
        share = Fraction(text[:-1].strip()) / 100 if text.endswith("%") else Fraction(text)
    except (ValueError, ZeroDivisionError):
        hint = " or a name: " + ", ".join(NAMED_THRESHOLDS) if key == "threshold" else ""
        raise RuleDefinitionError(
            f"{key}: {value!r} is not a fraction such as '2/3'{hint}", key=key
        ) from None
    if not 0 <= share <= 1:
        raise RuleDefinitionError(f"{key}: must be between 0 and 1, not {value!r}", key=key)
    return share


def format_duration(value: timedelta) -> str:
    """ISO-8601 duration of whole days and seconds, e.g. ``P3D``, ``PT1H30M``, ``PT0S``."""
    days, rest = value.days, value.seconds
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"


# No voting period or wait is longer than this; it keeps every deadline on the calendar.
MAX_DURATION = timedelta(days=3660)


def parse_duration(key: str, value: object) -> timedelta:
    """A duration from ISO-8601 (weeks, days, hours, minutes, seconds) or whole seconds.

    At most ten years (MAX_DURATION): larger values are refused by name, never an overflow.
    """
    duration: timedelta | None = None
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            duration = timedelta(seconds=value)
        elif isinstance(value, str):
            match = _ISO_DURATION.match(value.strip().upper())
            if match and value.strip().upper() not in ("P", "PT"):
                parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
                duration = timedelta(**parts)
    except OverflowError:
        duration = MAX_DURATION + MAX_DURATION
    if duration is not None:
        if duration > MAX_DURATION:  # (the rule itself refuses zero and negatives)
            raise RuleDefinitionError(
                f"{key}: {value!r} must be at most {MAX_DURATION.days} days", key=key
            )
        return duration
    raise RuleDefinitionError(
        f"{key}: {value!r} is not an ISO-8601 duration such as 'P3D' or 'PT72H', "
        "nor a whole number of seconds",
        key=key,
    )
