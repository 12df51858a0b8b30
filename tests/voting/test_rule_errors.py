# ruff: noqa: E501 - a table of whole messages reads best one refusal a line
"""Every refusal of a rule definition, word for word, with the key it names.

A workflow author reads these messages when a charter file does not load; the API returns the
key as a field. Each message is compared whole, not by a fragment, so a garbled or swapped
sentence is a failure.
"""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest

from governance_engine.errors import InvalidInput, RuleDefinitionError
from governance_engine.voting import PRESETS, Rule, parse_rule

LAZY: dict[str, Any] = {"lazy_consensus": True, "threshold": Fraction(0), "threshold_strict": False}
CHOICES = "yes, no, abstain, recuse"
WHOLE = "must be a whole number of votes, 0 or more, not"
SILENCE = "a lazy-consensus rule passes on silence and cannot require support"
ISO = "is not an ISO-8601 duration such as 'P3D' or 'PT72H', nor a whole number of seconds"
BLOCKING = {"choices": ("yes", "no", "abstain", "block", "recuse"), "blocking": ("block",)}

RULES: list[tuple[dict[str, Any], str, str]] = [
    ({"name": 7}, "name: must be a string", "name"),
    ({"description": None}, "description: must be a string", "description"),
    ({"choices": []}, "choices: must be a non-empty tuple of choice names", "choices"),
    ({"choices": ()}, "choices: must be a non-empty tuple of choice names", "choices"),
    ({"choices": ("yes", " ")}, "choices: ' ' is not a non-blank string", "choices"),
    ({"choices": ("yes", 3)}, "choices: 3 is not a non-blank string", "choices"),
    ({"choices": ("yes", "yes")}, "choices: lists a choice twice", "choices"),
    ({"labels": [("yes", "Y")]}, "labels: must be a tuple of (choice, label) pairs", "labels"),
    ({"labels": (("yes",),)}, "labels: ('yes',) is not a (choice, label) pair of strings", "labels"),
    ({"labels": (("yes", 1),)}, "labels: ('yes', 1) is not a (choice, label) pair of strings", "labels"),
    ({"labels": (("maybe", "M"),)}, f"labels: 'maybe' is not one of the choices {CHOICES}", "labels"),
    ({"labels": (("yes", "Y"), ("yes", "Z"))}, "labels: 'yes' is labelled twice", "labels"),
    ({"support": ["yes"]}, "support: must be a tuple of choice names", "support"),
    ({"support": (1,)}, "support: must be a tuple of choice names", "support"),
    ({"support": ("maybe",)}, f"support: 'maybe' is not one of the choices {CHOICES}", "support"),
    ({"support": ("yes", "yes")}, "support: lists a choice twice", "support"),
    ({"support": ()}, "support: at least one choice must count as support", "support"),
    ({"against": ("yes",)}, "against: 'yes' cannot be both support and against", "against"),
    ({"abstain": ("yes",)}, "abstain: 'yes' cannot be both support and an abstention", "abstain"),
    ({"abstain": ("no",)}, "abstain: 'no' cannot be both against and an abstention", "abstain"),
    ({"blocking": ("yes",)}, "blocking: 'yes' cannot be both support and blocking", "blocking"),
    ({"blocking": ("abstain",)}, "blocking: 'abstain' cannot be both an abstention and blocking", "blocking"),
    ({"min_yes_choices": ("no",)}, "min_yes_choices: every choice min_yes counts must also count as support", "min_yes_choices"),
    ({"recusal": "maybe"}, "recusal: 'maybe' is not one of the choices", "recusal"),
    ({"recusal": 5}, "recusal: 5 is not one of the choices", "recusal"),
    ({"recusal": "no"}, "recusal: 'no' cannot also support, oppose, abstain or block", "recusal"),
    ({"recusal": "yes"}, "recusal: 'yes' cannot also support, oppose, abstain or block", "recusal"),
    ({"recusal": "abstain"}, "recusal: 'abstain' cannot also support, oppose, abstain or block", "recusal"),
    ({**BLOCKING, "recusal": "block"}, "recusal: 'block' cannot also support, oppose, abstain or block", "recusal"),
    ({"rationale_required": ("maybe",)}, f"rationale_required: 'maybe' is not one of the choices {CHOICES}", "rationale_required"),
    ({"quorum_share": Fraction(3, 2)}, "quorum_share: must be between 0 and 1, not 3/2", "quorum_share"),
    ({"quorum_share": 0.5}, "quorum_share: must be a fraction such as '2/3', not 0.5", "quorum_share"),
    ({"quorum_share": True}, "quorum_share: must be a fraction such as '2/3', not True", "quorum_share"),
    ({"min_support_share_of_electorate": -1}, "min_support_share_of_electorate: must be between 0 and 1, not -1", "min_support_share_of_electorate"),
    ({"threshold": 2}, "threshold: must be between 0 and 1, not 2", "threshold"),
    ({"quorum_min": -1}, f"quorum_min: {WHOLE} -1", "quorum_min"),
    ({"quorum_min": 1.0}, f"quorum_min: {WHOLE} 1.0", "quorum_min"),
    ({"min_yes": True}, f"min_yes: {WHOLE} True", "min_yes"),
    ({"max_no": -1}, f"max_no: {WHOLE} -1", "max_no"),
    ({"max_no": "1"}, f"max_no: {WHOLE} '1'", "max_no"),
    ({"tie_passes": 1}, "tie_passes: must be true or false", "tie_passes"),
    ({"quorum_counts_abstentions": None}, "quorum_counts_abstentions: must be true or false", "quorum_counts_abstentions"),
    ({"threshold_base": "all"}, "threshold_base: 'all' is not one of cast, cast_excluding_abstentions, electorate_minus_recused, present", "threshold_base"),
    ({"threshold": Fraction(1), "threshold_strict": True}, "threshold: more than all of the base can never be reached", "threshold"),
    ({"lazy_consensus": True}, "threshold: a lazy-consensus rule passes on silence: set threshold to 0", "threshold"),
    ({**LAZY, "threshold_strict": True}, "threshold: a lazy-consensus rule passes on silence: set threshold to 0", "threshold"),
    ({**LAZY, "min_yes": 1}, f"min_yes: {SILENCE}", "min_yes"),
    ({**LAZY, "support_must_exceed_against": True}, f"support_must_exceed_against: {SILENCE}", "support_must_exceed_against"),
    ({**LAZY, "min_support_share_of_electorate": Fraction(1, 3)}, f"min_support_share_of_electorate: {SILENCE}", "min_support_share_of_electorate"),
    ({"duration": 5}, "duration: must be a duration, not 5", "duration"),
    ({"duration": timedelta(seconds=1, microseconds=500000)}, "duration: must be a whole number of seconds", "duration"),
    ({"duration": timedelta(0)}, "duration: must be positive", "duration"),
    ({"duration": timedelta(seconds=-1)}, "duration: must be positive", "duration"),
    ({"close_on_pass_after": timedelta(seconds=-1)}, "close_on_pass_after: must be positive", "close_on_pass_after"),
    ({"close_on_pass_after": timedelta(microseconds=1)}, "close_on_pass_after: must be a whole number of seconds", "close_on_pass_after"),
]  # fmt: skip

DOCUMENTS: list[tuple[Any, str, str | None]] = [
    (["yes"], "a rule must be a mapping, not list", None),
    ({"choices": {"yes": 1}}, "choices: 'yes': 1 is not a choice name with a text label", "choices"),
    ({"choices": {1: "One"}}, "choices: 1: 'One' is not a choice name with a text label", "choices"),
    ({"choices": "yes"}, "choices: must be a list of choice names, not 'yes'", "choices"),
    ({"support": [1]}, "support: 1 is not a choice name", "support"),
    ({"support": "yes"}, "support: must be a list of choice names, not 'yes'", "support"),
    ({"threshold": "most"}, "threshold: 'most' is not a fraction such as '2/3' or a name: majority, two_thirds, unanimity, none", "threshold"),
    ({"quorum_share": "most"}, "quorum_share: 'most' is not a fraction such as '2/3'", "quorum_share"),
    ({"threshold": [1]}, "threshold: must be a fraction such as '2/3', not [1]", "threshold"),
    ({"threshold": True}, "threshold: must be a fraction such as '2/3', not True", "threshold"),
    ({"quorum_share": "1/0"}, "quorum_share: '1/0' is not a fraction such as '2/3'", "quorum_share"),
    ({"threshold": "-1/2"}, "threshold: must be between 0 and 1, not '-1/2'", "threshold"),
    ({"duration": "P"}, f"duration: 'P' {ISO}", "duration"),
    ({"duration": "PT"}, f"duration: 'PT' {ISO}", "duration"),
    ({"duration": "72 hours"}, f"duration: '72 hours' {ISO}", "duration"),
    ({"duration": True}, f"duration: True {ISO}", "duration"),
    ({"duration": 1.5}, f"duration: 1.5 {ISO}", "duration"),
    ({"duration": "P9999D"}, "duration: 'P9999D' must be at most 3660 days", "duration"),
    ({"duration": 10**30}, f"duration: {10**30} must be at most 3660 days", "duration"),
    ({"duration": "P99999999999D"}, "duration: 'P99999999999D' must be at most 3660 days", "duration"),
    ({"close_on_pass_after": "P3661D"}, "close_on_pass_after: 'P3661D' must be at most 3660 days", "close_on_pass_after"),
]  # fmt: skip

CONFIGS: list[tuple[Any, str, str | None]] = [
    ("nope", "preset: unknown preset 'nope'; known presets: simple-majority, two-thirds-of-body, iesg, apache-release, openstack-tc, iab, lazy-consensus, w3c-appeal, cncf-toc-meeting, openstack-tc-meeting", "preset"),
    (5, "a rule is a preset name or a mapping, not int", None),
    ({"preset": 3}, "preset: must be a preset name, not 3", "preset"),
    ({"preset": "iab", "min_yes": -1}, f"preset 'iab' with overrides: min_yes: {WHOLE} -1", "min_yes"),
]  # fmt: skip


def refusal(build: Any, argument: Any) -> RuleDefinitionError:
    with pytest.raises(RuleDefinitionError) as caught:
        build(argument)
    return caught.value


@pytest.mark.parametrize(("kwargs", "message", "key"), RULES)
def test_a_rule_refuses_with_the_whole_message(
    kwargs: dict[str, Any], message: str, key: str
) -> None:
    error = refusal(lambda k: Rule(**k), kwargs)
    assert (str(error), error.message, error.details) == (message, message, {"key": key})


@pytest.mark.parametrize(("data", "message", "key"), DOCUMENTS)
def test_a_rule_document_refuses_with_the_whole_message(
    data: Any, message: str, key: str | None
) -> None:
    error = refusal(Rule.from_dict, data)
    assert str(error) == message
    assert error.details == ({} if key is None else {"key": key})


@pytest.mark.parametrize(("config", "message", "key"), CONFIGS)
def test_parse_rule_refuses_with_the_whole_message(
    config: Any, message: str, key: str | None
) -> None:
    error = refusal(parse_rule, config)
    assert str(error) == message
    assert error.details == ({} if key is None else {"key": key})


def test_an_unknown_key_is_named_and_the_known_ones_listed_in_order() -> None:
    error = refusal(Rule.from_dict, {"name": "x", "bogus": 1, "worse": 2})
    assert str(error).startswith(
        "bogus: unknown rule key; known keys: name, description, choices, support, against, "
    )
    assert error.details == {"key": "bogus"}


def test_the_edges_that_are_allowed() -> None:
    # A share of exactly 0 or 1, a count of 0, a whole-second duration, unanimity that ties.
    rule = Rule(
        quorum_share=Fraction(1), threshold=Fraction(1), threshold_strict=True, tie_passes=True,
        quorum_min=0, max_no=0, duration=timedelta(seconds=1), close_on_pass_after=timedelta(0),
        min_support_share_of_electorate=0,
    )  # fmt: skip
    assert (rule.quorum_share, rule.min_support_share_of_electorate) == (Fraction(1), Fraction(0))
    assert isinstance(rule.min_support_share_of_electorate, Fraction)
    assert Rule(quorum_share=1).quorum_share == Fraction(1)
    assert Rule.from_dict({"duration": 3660 * 86400}).duration == timedelta(days=3660)
    assert Rule.from_dict({"duration": " p3dt4h "}).duration == timedelta(days=3, hours=4)


IESG_CHOICES = ["yes", "no_objection", "discuss", "abstain", "recuse"]


@pytest.mark.parametrize(
    ("preset", "choice", "rationale", "message", "details"),
    [
        ("iesg", "no", None, "unknown choice 'no'; valid choices: " + ", ".join(IESG_CHOICES),
         {"field": "choice", "choice": "no", "valid_choices": IESG_CHOICES}),
        ("iesg", "discuss", None, "a rationale is required for 'Discuss' (discuss)",
         {"field": "rationale", "choice": "discuss"}),
        ("iesg", "discuss", " \n", "a rationale is required for 'Discuss' (discuss)",
         {"field": "rationale", "choice": "discuss"}),
        ("simple-majority", "recuse", "", "a rationale is required for 'Recuse' (recuse)",
         {"field": "rationale", "choice": "recuse"}),
    ],
)  # fmt: skip
def test_a_position_refused_with_the_whole_message(
    preset: str, choice: str, rationale: str | None, message: str, details: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        PRESETS[preset].check_position(choice, rationale)
    assert type(caught.value) is InvalidInput
    assert (str(caught.value), caught.value.details) == (message, details)


def test_a_rationale_with_text_is_enough() -> None:
    PRESETS["iesg"].check_position("discuss", " x ")
    PRESETS["iesg"].check_position("yes", None)
