"""Rules as data: validation, serialisation, parsing, positions and plain-English descriptions."""

from __future__ import annotations

import json
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest

from governance_engine.errors import InvalidInput, RuleDefinitionError
from governance_engine.voting import PRESETS, Rule, ThresholdBase, parse_rule


def test_a_rule_is_frozen_and_hashable() -> None:
    rule = Rule()
    assert hash(rule) == hash(Rule())
    with pytest.raises(AttributeError):
        rule.name = "other"  # type: ignore[misc]
    assert len({PRESETS["iesg"], PRESETS["iesg"], Rule()}) == 2


def test_roles_and_labels_are_normalised_so_equal_rules_compare_equal() -> None:
    a = Rule(choices=("yes", "no", "block"), blocking=("block",), recusal=None, abstain=())
    b = Rule(
        choices=("yes", "no", "block"),
        blocking=("block",),
        rationale_required=("block",),
        labels=(("block", "Block"),),
        recusal=None,
        abstain=(),
    )
    assert a == b
    assert a.labels == (("yes", "Yes"), ("no", "No"), ("block", "Block"))
    assert a.rationale_required == ("block",)  # DESIGN §2: blocking choices need a rationale


@pytest.mark.parametrize("rule", [*PRESETS.values(), Rule()], ids=lambda r: r.name)
def test_to_dict_is_json_safe_and_from_dict_is_its_exact_inverse(rule: Rule) -> None:
    data = rule.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert Rule.from_dict(data) == rule
    assert Rule.from_dict(json.loads(json.dumps(data))) == rule


def test_to_dict_writes_fractions_and_durations_as_strings() -> None:
    data = PRESETS["iesg"].to_dict()
    assert data["threshold"] == "2/3"
    assert data["duration"] == "P14D"
    assert data["choices"] == [
        ["yes", "Yes"],
        ["no_objection", "No Objection"],
        ["discuss", "Discuss"],
        ["abstain", "Abstain"],
        ["recuse", "Recuse"],
    ]  # a list: the order of choices survives storage that reorders object keys (JSONB)
    assert data["threshold_base"] == "electorate_minus_recused"
    assert PRESETS["apache-release"].to_dict()["duration"] == "P3D"


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"threshold": "majority"}, "threshold_strict", True),
        ({"threshold": "two_thirds"}, "threshold", Fraction(2, 3)),
        ({"threshold": "two_thirds"}, "threshold_strict", False),
        ({"threshold": "unanimity"}, "threshold", Fraction(1)),
        ({"threshold": "majority", "threshold_strict": False}, "threshold_strict", False),
        ({"threshold": 0.5}, "threshold", Fraction(1, 2)),
        ({"threshold": "0.75"}, "threshold", Fraction(3, 4)),
        ({"quorum_share": 1}, "quorum_share", Fraction(1)),
        ({"duration": "PT72H"}, "duration", timedelta(hours=72)),
        ({"duration": "P1W"}, "duration", timedelta(days=7)),
        ({"duration": "P1DT2H30M"}, "duration", timedelta(days=1, hours=2, minutes=30)),
        ({"duration": 3600}, "duration", timedelta(hours=1)),
        (
            {
                "choices": ["aye", "nay"],
                "support": ["aye"],
                "against": ["nay"],
                "abstain": [],
                "recusal": None,
            },
            "labels",
            (("aye", "Aye"), ("nay", "Nay")),
        ),
        ({"lazy_consensus": True, "blocking": ["no"]}, "threshold", Fraction(0)),
        ({"threshold_base": "cast"}, "threshold_base", ThresholdBase.CAST),
    ],
)
def test_from_dict_accepts_what_people_write(
    data: dict[str, Any], field: str, expected: Any
) -> None:
    assert getattr(Rule.from_dict(data), field) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"treshold": "1/2"}, "treshold: unknown rule key"),
        ({"threshold": "most"}, "threshold: 'most' is not a fraction"),
        ({"threshold": "3/2"}, "threshold: must be between 0 and 1"),
        ({"threshold": True}, "threshold: must be a fraction"),
        ({"threshold": 1, "threshold_strict": True}, "threshold: more than all"),
        ({"quorum_min": -1}, "quorum_min: must be a whole number"),
        ({"quorum_min": "3"}, "quorum_min: must be a whole number"),
        ({"max_no": 1.5}, "max_no: must be a whole number"),
        ({"support": ["maybe"]}, "support: 'maybe' is not one of the choices"),
        ({"support": []}, "support: at least one choice"),
        ({"support": "yes"}, "support: must be a list"),
        ({"against": ["yes"]}, "against: 'yes' cannot be both support and against"),
        ({"blocking": ["yes"]}, "blocking: 'yes' cannot be both support and blocking"),
        ({"recusal": "abstain"}, "recusal: 'abstain' cannot also"),
        ({"recusal": "nope"}, "recusal: 'nope' is not one of the choices"),
        ({"choices": ["yes", "yes"]}, "choices: lists a choice twice"),
        ({"choices": []}, "choices: must be a non-empty"),
        ({"choices": {"yes": 1}}, "choices: 'yes': 1 is not a choice name"),
        ({"min_yes_choices": ["no"]}, "min_yes_choices: every choice"),
        ({"threshold_base": "everyone"}, "threshold_base: 'everyone' is not one of"),
        ({"duration": "72 hours"}, "duration: '72 hours' is not an ISO-8601 duration"),
        ({"duration": 0}, "duration: must be positive"),
        ({"close_on_pass_after": -5}, "close_on_pass_after: must be positive"),
        ({"secret": "yes"}, "secret: must be true or false"),
        ({"lazy_consensus": True, "min_yes": 2}, "min_yes: a lazy-consensus rule"),
        ({"lazy_consensus": True, "threshold": "1/2"}, "threshold: a lazy-consensus rule"),
        ({"name": 7}, "name: must be a string"),
    ],
)
def test_from_dict_names_the_key_and_the_problem(data: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleDefinitionError) as caught:
        Rule.from_dict(data)
    assert message in str(caught.value)


def test_from_dict_refuses_what_is_not_a_mapping() -> None:
    with pytest.raises(RuleDefinitionError, match="must be a mapping"):
        Rule.from_dict(["yes"])  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(PRESETS))
def test_parse_rule_finds_every_preset_by_name(name: str) -> None:
    assert parse_rule(name) is PRESETS[name]
    assert parse_rule({"preset": name}) == PRESETS[name]


def test_parse_rule_applies_overrides_to_a_preset() -> None:
    rule = parse_rule({"preset": "iab", "min_yes": 5, "secret": True})
    assert (rule.min_yes, rule.max_no, rule.secret, rule.name) == (5, 2, True, "iab")


def test_parse_rule_takes_a_full_rule_mapping() -> None:
    rule = parse_rule({"name": "board", "threshold": "two_thirds", "quorum_min": 5})
    assert (rule.name, rule.threshold, rule.threshold_strict, rule.quorum_min) == (
        "board",
        Fraction(2, 3),
        False,
        5,
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("supermajority", "unknown preset 'supermajority'; known presets: simple-majority, "),
        ({"preset": "ietf"}, "known presets: simple-majority, two-thirds-of-body, iesg"),
        ({"preset": 3}, "preset: must be a preset name"),
        ({"preset": "iab", "min_yes": -1}, "preset 'iab' with overrides: min_yes: must be"),
        ({"preset": "iab", "quorom": 3}, "quorom: unknown rule key"),
        (["iab"], "a rule is a preset name or a mapping"),
    ],
)
def test_parse_rule_errors_are_clear(config: Any, message: str) -> None:
    with pytest.raises(RuleDefinitionError) as caught:
        parse_rule(config)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("preset", "choice", "rationale"),
    [
        ("iesg", "yes", None),
        ("iesg", "discuss", "section 3 contradicts RFC 9110"),
        ("iesg", "recuse", "I am an author"),
        ("lazy-consensus", "object", "breaks the API"),
        ("apache-release", "no", None),
    ],
)
def test_check_position_accepts_valid_positions(
    preset: str, choice: str, rationale: str | None
) -> None:
    PRESETS[preset].check_position(choice, rationale)


@pytest.mark.parametrize(
    ("preset", "choice", "rationale", "message"),
    [
        ("iesg", "no", None, "unknown choice 'no'; valid choices: yes, no_objection, discuss"),
        ("apache-release", "+1", None, "valid choices: yes, no, abstain"),
        ("iesg", "discuss", None, "a rationale is required for 'Discuss'"),
        ("iesg", "discuss", "   ", "a rationale is required for 'Discuss'"),
        ("lazy-consensus", "object", "", "a rationale is required for 'Object'"),
        ("simple-majority", "recuse", None, "a rationale is required for 'Recuse'"),
    ],
)
def test_check_position_refuses_with_a_reason(
    preset: str, choice: str, rationale: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        PRESETS[preset].check_position(choice, rationale)
    assert message in str(caught.value)
    assert not isinstance(caught.value, RuleDefinitionError)


@pytest.mark.parametrize(
    ("rule", "phrases"),
    [
        (
            PRESETS["iesg"],
            [
                "Yes or No Objection",
                "at least two thirds of the whole electorate less those who recused",
                "at least 1 Yes",
                "A standing Discuss blocks the ballot",
                "Runs for 2 weeks",
            ],
        ),
        (PRESETS["apache-release"], ["at least 3 +1", "more +1 than -1", "72 hours", "tie fails"]),
        (PRESETS["simple-majority"], ["more than half of the votes cast, not counting", "Quorum"]),
        (PRESETS["lazy-consensus"], ["lazy consensus", "unless a block stands"]),
        (
            Rule(
                one_vote_per_organization=True, secret=True, close_on_pass_after=timedelta(days=2)
            ),
            ["one counted vote", "secret", "after 48 hours"],
        ),
    ],
    ids=["iesg", "apache", "majority", "lazy", "custom"],
)
def test_describe_says_the_rule_in_words(rule: Rule, phrases: list[str]) -> None:
    text = rule.describe()
    assert "\n" not in text
    for phrase in phrases:
        assert phrase in text
