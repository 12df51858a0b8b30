"""Fuzzing ``parse_rule`` with random rule definitions, as a workflow's YAML could give them.

``test_rule.py`` lists the refusals one by one; ``test_properties.py`` draws only valid rules.
Here any mapping of real and made-up keys to values of any type (huge and negative numbers,
infinities, odd fractions and durations, unicode, lists, mappings), alone or as overrides of
a preset, goes through ``parse_rule``. It either returns a rule that works (it round-trips
through JSON, describes itself, evaluates any tally, and gives a ballot opened now a deadline
the calendar can hold) or raises ``RuleDefinitionError`` with a non-empty, one-line message
that names the key at fault.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance_engine.errors import RuleDefinitionError
from governance_engine.voting import PRESETS, Elector, Rule, evaluate, parse_rule

FUZZ = settings(max_examples=200, deadline=None)
FIELDS = [f.name for f in dataclasses.fields(Rule) if f.name != "labels"]
OPENED = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)  # when a ballot with the rule opens

CHOICES = ["yes", "no", "abstain", "recuse", "block", "object", "discuss", "no_objection"]
# Text without line breaks or control characters: a key is named as written.
printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=8
)
numbers = (
    st.sampled_from([0, 1, 2, 3, -1, 7, 10**6, 2**31, 2**63, 10**20, 10**30, -(10**30)])
    | st.integers()
)
floats = st.sampled_from([0.0, 0.5, 1.0, 1.5, -0.5, 1e308, math.inf, -math.inf, math.nan])
strings = (
    st.sampled_from(
        [
            *CHOICES,
            "2/3",
            "1/2",
            "1/0",
            "0.5",
            "3/2",
            "-1/3",
            "majority",
            "two_thirds",
            "unanimity",
            "none",
            "cast",
            "cast_excluding_abstentions",
            "electorate_minus_recused",
            "P3D",
            "PT72H",
            "P2W",
            "P",
            "PT",
            "P99999999999D",
            "P3000000D",
            "PT99999999999999999999S",
            "P٣D",
            "72 hours",
            "",
            " ",
            "\u202eyes",
            "yes\u200b",
        ]
    )
    | printable
)
scalars = st.none() | st.booleans() | numbers | floats | strings
choice_lists = st.lists(st.sampled_from(CHOICES) | printable, max_size=5)
values = (
    scalars
    | choice_lists
    | st.dictionaries(
        st.sampled_from(CHOICES) | printable, st.sampled_from(CHOICES) | scalars, max_size=4
    )
    | st.lists(st.tuples(st.sampled_from(CHOICES), strings).map(list), max_size=4)
)
# Values of the kind each key takes, pushed to the edges; mixed with values of any kind.
timings = st.sampled_from(
    [
        3600,
        0,
        -1,
        1.5,
        2**31,
        10**20,
        "P3D",
        "PT72H",
        "P99999999999D",
        "P3000000D",
        "PT99999999999999999999S",
        "P٣D",
        "72 hours",
    ]
)
TYPED: dict[str, st.SearchStrategy[Any]] = {
    "duration": timings | numbers | strings,
    "close_on_pass_after": timings | numbers | strings,
    "quorum_min": numbers | floats,
    "min_yes": numbers | floats,
    "max_no": numbers | floats | st.none(),
    "threshold": strings | numbers | floats,
    "quorum_share": strings | numbers | floats,
    "min_support_share_of_electorate": strings | numbers | floats,
    "choices": choice_lists | st.dictionaries(st.sampled_from(CHOICES), printable, max_size=4),
}
field_items = st.sampled_from(FIELDS).flatmap(
    lambda key: st.tuples(st.just(key), TYPED.get(key, values))
)
keys = (
    st.sampled_from(FIELDS)
    | st.sampled_from(["preset", "labels", "treshold", "quorom"])
    | printable
)
mappings = st.dictionaries(keys, values, max_size=6)
preset_overrides = st.builds(
    lambda preset, overrides: {"preset": preset, **dict(overrides)},
    st.sampled_from(sorted(PRESETS)),
    st.lists(field_items, max_size=3),
)
configs = mappings | preset_overrides | strings | st.lists(values, max_size=2) | numbers | st.none()


def _names_a_key(error: RuleDefinitionError, config: Any) -> None:
    message = error.message
    assert message.strip(), "a refusal says what is wrong"
    assert "\n" not in message, repr(message)
    assert "\r" not in message, repr(message)
    if not isinstance(config, dict):
        return  # "a rule is a preset name or a mapping", or an unknown preset by name
    key = error.details.get("key")
    assert isinstance(key, str), f"names no key: {message!r} ({error.details})"
    assert key in FIELDS or key in ("preset", "labels") or key in config, (key, message)
    assert f"{key}: " in message, (key, message)


def _works(rule: Rule) -> None:
    """What parses can be frozen into a ballot, read back, explained and evaluated."""
    stored = json.loads(json.dumps(rule.to_dict(), allow_nan=False))
    assert Rule.from_dict(stored) == rule
    assert rule.describe().strip()
    for timing in (rule.duration, rule.close_on_pass_after):
        if timing is not None:
            _ = OPENED + timing  # the ballot's deadline, or when it may close on passing
    electorate = [Elector(voter_id=n, organization_id=n % 2) for n in range(1, 5)]
    for positions in ({}, dict.fromkeys(range(1, 5), rule.choices[0]), {1: rule.choices[-1]}):
        for at_deadline in (False, True):
            evaluate(
                rule, electorate, positions, elapsed=timedelta(hours=1), at_deadline=at_deadline
            )


def _parse(config: Any) -> None:
    try:
        rule = parse_rule(config)
    except RuleDefinitionError as error:
        _names_a_key(error, config)
    else:
        _works(rule)


@FUZZ
@given(mappings)
def test_random_rule_mappings_parse_or_name_the_key(config: dict[Any, Any]) -> None:
    _parse(config)


@FUZZ
@given(
    st.sampled_from([None, *sorted(PRESETS)]),
    st.sampled_from(["duration", "close_on_pass_after"]),
    timings | numbers | strings,
)
def test_random_timings_parse_or_name_the_key(preset: str | None, key: str, value: Any) -> None:
    _parse({key: value} if preset is None else {"preset": preset, key: value})


@FUZZ
@given(st.lists(field_items, min_size=1, max_size=3).map(dict))
def test_edge_values_of_known_keys_parse_or_name_the_key(config: dict[str, Any]) -> None:
    _parse(config)


@FUZZ
@given(preset_overrides)
def test_random_overrides_of_presets_parse_or_name_the_key(config: dict[str, Any]) -> None:
    _parse(config)


@FUZZ
@given(configs)
def test_anything_at_all_parses_or_is_refused_clearly(config: Any) -> None:
    _parse(config)


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"preset": "simple-majority", "duration": 10**20}, "duration"),
        ({"duration": "P99999999999D"}, "duration"),
        ({"close_on_pass_after": 2**63}, "close_on_pass_after"),
        ({"duration": "P3000000D"}, "duration"),
    ],
    ids=["seconds-overflow", "days-overflow", "close-on-pass-overflow", "deadline-past-9999"],
)
def test_durations_too_long_for_the_calendar_are_refused_by_name(
    config: dict[str, Any], key: str
) -> None:
    """Found by the fuzzers above: parse_rule raised OverflowError for durations that do not
    fit a timedelta, and accepted ones no ballot deadline can hold (past the year 9999)."""
    with pytest.raises(RuleDefinitionError) as caught:
        parse_rule(config)
    _names_a_key(caught.value, config)
    assert caught.value.details["key"] == key
