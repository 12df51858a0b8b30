"""Rules in words, pinned sentence for sentence: what a ballot page and a decision record say."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from governance_engine.voting import PRESETS, Rule, ThresholdBase
from governance_engine.voting._describe import duration_words, share_words
from governance_engine.voting._serialize import format_duration
from governance_engine.voting._tally import threshold_count, threshold_met

RECUSE = (
    "A voter who chooses Recuse is recused and leaves every denominator. "
    "A written rationale is required for Recuse."
)
PRESET_WORDS = {
    "simple-majority": (
        "simple-majority: Simple majority of the votes cast with a quorum of half the body "
        "(Robert's Rules of Order: abstentions are not votes cast). Choices: Yes, No, Abstain, "
        "Recuse. Passes with support (Yes) from more than half of the votes cast, not counting "
        f"abstentions; a tie fails. {RECUSE} Quorum: at least half of the electorate (rounded up) "
        "must take part; without it the ballot ends with no quorum. Runs for 7 days; it may close "
        "early once the outcome can no longer change."
    ),
    "two-thirds-of-body": (
        "two-thirds-of-body: Two thirds of the whole body, as the CNCF TOC decides (CNCF charter "
        "§6: a 2/3 supermajority vote of the TOC); recused members leave the count. Choices: Yes, "
        "No, Abstain, Recuse. Passes with support (Yes) from at least two thirds of the whole "
        f"electorate less those who recused. {RECUSE} Runs for 6 weeks; it may close early once "
        "the outcome can no longer change."
    ),
    "iesg": (
        "iesg: IETF IESG ballot: Yes or No Objection from two thirds of the sitting ADs not "
        "recused, at least one Yes, and no standing DISCUSS (IESG ballot procedures). Choices: "
        "Yes, No Objection, Discuss, Abstain, Recuse. Passes with support (Yes or No Objection) "
        "from at least two thirds of the whole electorate less those who recused and at least 1 "
        "Yes. A standing Discuss blocks the ballot until its holder changes position. A voter who "
        "chooses Recuse is recused and leaves every denominator. A written rationale is required "
        "for Discuss and Recuse. Runs for 2 weeks."
    ),
    "apache-release": (
        "apache-release: Apache release vote: at least three binding +1 and more +1 than -1, open "
        "72 hours (ASF release policy, release approval). Choices: +1, -1, 0. Passes with at least "
        "3 +1 and more +1 than -1; a tie fails. Runs for 72 hours."
    ),
    "openstack-tc": (
        "openstack-tc: OpenStack TC motion: more yes than no (a tie rejects) and yes from at least "
        "a third of all TC members, rounded up (OpenStack TC charter, motions). Choices: Yes, No, "
        "Abstain. Passes with more Yes than No and Yes from at least a third of the electorate "
        "(less recused, rounded up); a tie fails. Runs for 7 days."
    ),
    "iab": (
        "iab: IAB decision: at least seven members concur and no more than two dissent (IAB "
        "charter, RFC 2850 §3.5). Choices: Yes, No, Abstain, Recuse. Passes with at least 7 Yes "
        f"and no more than 2 No. {RECUSE} Runs for 2 weeks; it may close early once the outcome "
        "can no longer change."
    ),
    "lazy-consensus": (
        "lazy-consensus: Lazy consensus: passes after 72 hours unless someone objects; an "
        "objection needs a rationale and stands until withdrawn (Apache voting process, lazy "
        "consensus). Choices: Support, Object, Abstain. Passes by lazy consensus: at the "
        "deadline, unless a block stands. A standing Object blocks the ballot until its holder "
        "changes position. A written rationale is required for Object. Runs for 72 hours."
    ),
}


@pytest.mark.parametrize("name", list(PRESET_WORDS))
def test_every_preset_in_words(name: str) -> None:
    assert PRESETS[name].describe() == PRESET_WORDS[name]


CUSTOM = [
    (
        Rule(
            name="board", quorum_share=Fraction(3, 5), quorum_min=4,
            quorum_counts_abstentions=False, quorum_counts_recusals=False,
            one_vote_per_organization=True, secret=True, close_on_pass_after=timedelta(days=2),
            tie_passes=True, threshold=Fraction(1), threshold_strict=False,
            threshold_base=ThresholdBase.CAST,
        ),
        "board. Choices: Yes, No, Abstain, Recuse. Passes with support (Yes) from unanimous "
        "support of the votes cast (abstentions included); a tie passes. "
        f"{RECUSE} Quorum: at least 3/5 of the electorate (rounded up) and at least 4 voters must "
        "take part (abstentions and recusals do not count); without it the ballot ends with no "
        "quorum. Each organization has one counted vote: that of its first-listed member who has "
        "taken a position; blocks by any member still stand. Runs until closed; once passing it "
        "may close after 48 hours. The ballot is secret: who voted is visible, how they voted is "
        "not.",
    ),
    (
        Rule(name="bare", recusal=None, threshold=Fraction(0), threshold_strict=False,
             duration=timedelta(seconds=90), close_early=True),
        "bare. Choices: Yes, No, Abstain, Recuse. Passes with any result. Runs for 90 seconds; it "
        "may close early once the outcome can no longer change.",
    ),
    (
        Rule(name="one", threshold=Fraction(0), threshold_strict=True, quorum_min=1,
             quorum_counts_recusals=False, recusal=None, labels=(("yes", "Aye"),)),
        "one. Choices: Aye, No, Abstain, Recuse. Passes with at least one support (Aye); a tie "
        "fails. Quorum: at least 1 voter must take part; without it the ballot ends with no "
        "quorum. Runs until closed.",
    ),
    (
        Rule(name="lazy", lazy_consensus=True, threshold=Fraction(0), threshold_strict=False,
             max_no=1, close_early=True, close_on_pass_after=timedelta(hours=1),
             duration=timedelta(weeks=2)),
        "lazy. Choices: Yes, No, Abstain, Recuse. Passes by lazy consensus: at the deadline, "
        f"unless a block stands or more than 1 vote No. {RECUSE} Runs for 2 weeks; it may close "
        "early once failure is certain.",
    ),
    (
        Rule(name="t", description="Ties pass.", support_must_exceed_against=True,
             tie_passes=True, threshold=Fraction(0), threshold_strict=False,
             min_support_share_of_electorate=Fraction(3, 5), rationale_required=("no",),
             choices=("yes", "no", "recuse"), abstain=()),
        "t: Ties pass. Choices: Yes, No, Recuse. Passes with more Yes than No and Yes from at "
        "least 3/5 of the electorate (less recused, rounded up); a tie passes. A voter who "
        "chooses Recuse is recused and leaves every denominator. A written rationale is required "
        "for No and Recuse. Runs until closed.",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "words"), CUSTOM, ids=[r.name for r, _ in CUSTOM])
def test_custom_rules_in_words(rule: Rule, words: str) -> None:
    assert rule.describe() == words


@pytest.mark.parametrize(
    ("seconds", "words", "iso"),
    [
        (0, "0 seconds", "PT0S"),
        (1, "1 second", "PT1S"),
        (59, "59 seconds", "PT59S"),
        (60, "1 minute", "PT1M"),
        (90, "90 seconds", "PT1M30S"),
        (3600, "1 hour", "PT1H"),
        (5400, "90 minutes", "PT1H30M"),
        (7200, "2 hours", "PT2H"),
        (86400, "24 hours", "P1D"),
        (90000, "25 hours", "P1DT1H"),
        (3 * 86400, "72 hours", "P3D"),
        (4 * 86400, "4 days", "P4D"),
        (7 * 86400, "7 days", "P7D"),
        (10 * 86400, "10 days", "P10D"),
        (14 * 86400, "2 weeks", "P14D"),
        (86400 + 3661, "90061 seconds", "P1DT1H1M1S"),
    ],
)
def test_durations_in_words_and_iso(seconds: int, words: str, iso: str) -> None:
    assert duration_words(timedelta(seconds=seconds)) == words
    assert format_duration(timedelta(seconds=seconds)) == iso


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (Fraction(1, 2), "half"),
        (Fraction(1, 3), "a third"),
        (Fraction(2, 3), "two thirds"),
        (Fraction(1, 4), "a quarter"),
        (Fraction(3, 4), "three quarters"),
        (Fraction(1), "all"),
        (Fraction(3, 5), "3/5"),
    ],
)
def test_shares_in_words(share: Fraction, words: str) -> None:
    assert share_words(share) == words


def test_a_rule_document_writes_each_field_as_stored() -> None:
    rule = Rule(
        name="x", quorum_share=Fraction(1, 3), blocking=(), max_no=2,
        close_on_pass_after=timedelta(hours=1, minutes=30, seconds=5),
        duration=timedelta(days=1, seconds=1), threshold_base=ThresholdBase.CAST,
    )  # fmt: skip
    data = rule.to_dict()
    expected = {
        "name": "x",
        "description": "",
        "choices": [["yes", "Yes"], ["no", "No"], ["abstain", "Abstain"], ["recuse", "Recuse"]],
        "support": ["yes"],
        "against": ["no"],
        "abstain": ["abstain"],
        "blocking": [],
        "recusal": "recuse",
        "rationale_required": ["recuse"],
        "quorum_share": "1/3",
        "quorum_min": 0,
        "threshold_base": "cast",
        "threshold": "1/2",
        "threshold_strict": True,
        "max_no": 2,
        "min_support_share_of_electorate": "0",
        "duration": "P1DT1S",
        "close_on_pass_after": "PT1H30M5S",
        "secret": False,
    }
    assert {key: data[key] for key in expected} == expected
    assert list(data)[:4] == ["name", "description", "choices", "support"]
    assert "labels" not in data
    assert Rule.from_dict(data) == rule


@pytest.mark.parametrize(
    ("share", "strict", "ties", "base", "needed"),
    [
        (Fraction(0), True, False, 5, 1),  # "at least one"
        (Fraction(0), False, False, 5, 0),  # any result
        (Fraction(1, 2), True, False, 4, 3),  # more than half of 4
        (Fraction(1, 2), True, False, 5, 3),
        (Fraction(1, 2), True, True, 4, 2),  # a tie passes
        (Fraction(1, 2), False, False, 4, 2),  # at least half
        (Fraction(1, 2), False, False, 1, 1),
        (Fraction(2, 3), False, False, 3, 2),
        (Fraction(2, 3), False, False, 0, 1),  # a share is never met by nobody
        (Fraction(1), False, False, 7, 7),
    ],
)
def test_the_support_a_threshold_needs(
    share: Fraction, strict: bool, ties: bool, base: int, needed: int
) -> None:
    rule = Rule(threshold=share, threshold_strict=strict, tie_passes=ties)
    assert threshold_count(rule, base) == needed
    # the least support that meets it, and one less does not
    assert threshold_met(rule, needed, base)
    if needed:
        assert not threshold_met(rule, needed - 1, base)
