"""Each preset reproduces the real rule it names: concrete ballots, table by table."""

from __future__ import annotations

from datetime import timedelta

import pytest

from governance_engine.voting import PRESETS, Elector, Evaluation, Outcome, evaluate, parse_rule

PASSED, FAILED, NO_QUORUM = Outcome.PASSED, Outcome.FAILED, Outcome.NO_QUORUM


def positions_of(spec: str) -> tuple[int, dict[int, str]]:
    """``"3 yes, 1 no, 2 -"`` -> six voters 1..6, positions for the first four."""
    positions: dict[int, str] = {}
    voter = 0
    for part in filter(None, (p.strip() for p in spec.split(","))):
        count, choice = part.split()
        for _ in range(int(count)):
            voter += 1
            if choice != "-":
                positions[voter] = choice
    return voter, positions


def run(rule_config: object, spec: str, *, at_deadline: bool = True) -> Evaluation:
    rule = parse_rule(rule_config)  # type: ignore[arg-type]
    size, positions = positions_of(spec)
    electorate = [Elector(v) for v in range(1, size + 1)]
    return evaluate(rule, electorate, positions, elapsed=timedelta(days=1), at_deadline=at_deadline)


def test_the_presets_are_exactly_the_ten_named() -> None:
    assert list(PRESETS) == [
        "simple-majority",
        "two-thirds-of-body",
        "iesg",
        "apache-release",
        "openstack-tc",
        "iab",
        "lazy-consensus",
        "w3c-appeal",
        "cncf-toc-meeting",
        "openstack-tc-meeting",
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("6 yes, 4 no", PASSED),
        ("5 yes, 5 no", FAILED),  # a tie is not more than half
        ("3 yes, 2 no, 5 -", PASSED),  # quorum of 5 exactly met
        ("3 yes, 1 no, 6 -", NO_QUORUM),  # missed by one
        ("3 yes, 2 no, 5 abstain", PASSED),  # abstentions are not votes cast
        ("1 yes, 9 abstain", PASSED),
        ("2 yes, 2 no, 6 abstain", FAILED),
        ("10 abstain", FAILED),  # quorum present, but no votes cast
        ("2 yes, 1 no, 2 recuse, 5 -", PASSED),  # recused members are present for quorum
        ("10 recuse", FAILED),
        ("4 yes, 3 -", PASSED),  # odd body of 7: quorum is 4
        ("3 yes, 4 -", NO_QUORUM),
        ("", FAILED),  # empty electorate: nothing to count
    ],
)
def test_simple_majority_of_votes_cast_with_quorum_of_half(spec: str, expected: Outcome) -> None:
    assert run("simple-majority", spec).outcome is expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("6 yes, 3 -", PASSED),  # 6 of 9 is two thirds
        ("5 yes, 4 -", FAILED),  # silence counts against: the base is the whole TOC
        ("6 yes, 3 no", PASSED),
        ("4 yes, 2 no", PASSED),  # exactly two thirds is enough ("at least")
        ("5 yes, 1 abstain, 3 -", FAILED),
        ("5 yes, 2 recuse, 2 no", PASSED),  # base 7: 5 >= 14/3
        ("4 yes, 2 recuse, 3 -", FAILED),
        ("9 abstain", FAILED),
        ("9 recuse", FAILED),
        ("", FAILED),
    ],
)
def test_two_thirds_of_the_whole_body(spec: str, expected: Outcome) -> None:
    assert run("two-thirds-of-body", spec).outcome is expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("1 yes, 9 no_objection, 5 -", PASSED),  # 10 of 15
        ("10 no_objection, 5 -", FAILED),  # no Yes at all
        ("1 yes, 8 no_objection, 6 -", FAILED),  # 9 of 15 is short of two thirds
        ("1 yes, 12 no_objection, 1 discuss, 1 -", FAILED),  # a standing DISCUSS
        ("1 yes, 7 no_objection, 3 recuse, 4 -", PASSED),  # 8 of the 12 not recused
        ("1 yes, 9 no_objection, 5 abstain", PASSED),
        ("1 yes, 8 no_objection, 6 abstain", FAILED),  # abstain is not support
        ("15 abstain", FAILED),
        ("15 recuse", FAILED),
        ("", FAILED),
    ],
)
def test_iesg_ballot(spec: str, expected: Outcome) -> None:
    assert run("iesg", spec).outcome is expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("3 yes, 2 -", PASSED),
        ("3 yes, 0 no", PASSED),
        ("2 yes, 5 -", FAILED),  # fewer than three binding +1
        ("4 yes, 4 no", FAILED),  # more +1 than -1 needed: a tie fails
        ("4 yes, 3 no", PASSED),
        ("3 yes, 2 no, 5 abstain", PASSED),
        ("5 abstain", FAILED),
        ("", FAILED),
    ],
)
def test_apache_release_vote(spec: str, expected: Outcome) -> None:
    assert run("apache-release", spec).outcome is expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("5 yes, 4 no, 4 -", PASSED),  # 13 members: at least 5 yes
        ("5 yes, 5 no, 3 -", FAILED),  # tie rejects
        ("4 yes, 9 -", FAILED),  # more yes than no, but fewer than a third of all
        ("7 yes, 6 no", PASSED),
        ("3 yes, 2 no, 4 -", PASSED),  # 9 members: 3 is a third
        ("13 abstain", FAILED),
        ("", FAILED),
    ],
)
def test_openstack_tc_motion(spec: str, expected: Outcome) -> None:
    assert run("openstack-tc", spec).outcome is expected


@pytest.mark.parametrize(
    ("config", "spec", "expected"),
    [
        ("iab", "7 yes, 6 -", PASSED),  # RFC 2850: at least seven concur
        ("iab", "6 yes, 7 -", FAILED),
        ("iab", "9 yes, 3 no, 1 -", FAILED),  # more than two dissents
        ("iab", "7 yes, 2 no, 4 abstain", PASSED),
        ("iab", "7 yes, 6 recuse", PASSED),
        ("iab", "13 recuse", FAILED),
        ("iab", "13 abstain", FAILED),
        ("iab", "", FAILED),
        ({"preset": "iab", "min_yes": 5}, "5 yes, 8 -", PASSED),
        ({"preset": "iab", "min_yes": 5}, "4 yes, 9 -", FAILED),
    ],
)
def test_iab_decision(config: object, spec: str, expected: Outcome) -> None:
    assert run(config, spec).outcome is expected


@pytest.mark.parametrize(
    ("spec", "at_deadline", "outcome", "may_close"),
    [
        ("5 -", True, PASSED, True),  # silence is consent at the deadline
        ("5 -", False, PASSED, False),  # ... and only then
        ("2 yes, 1 abstain, 2 -", True, PASSED, True),
        ("1 object, 4 -", True, FAILED, True),
        ("1 object, 4 -", False, FAILED, False),  # an objection can still be withdrawn
        ("5 yes", False, PASSED, False),  # unanimous support still waits for the deadline
        ("", True, PASSED, True),  # nobody can object
    ],
)
def test_lazy_consensus(spec: str, at_deadline: bool, outcome: Outcome, may_close: bool) -> None:
    result = run("lazy-consensus", spec, at_deadline=at_deadline)
    assert (result.outcome, result.may_close) == (outcome, may_close)


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize(("takes_part", "expected_quorum"), [(3, True), (2, False)])
def test_every_preset_honours_a_quorum_exactly(
    name: str, takes_part: int, expected_quorum: bool
) -> None:
    # Six members, a quorum of half: three taking part is exactly enough, two is one short.
    spec = f"{takes_part} yes, {6 - takes_part} -"
    result = run({"preset": name, "quorum_share": "1/2"}, spec)
    assert (result.outcome is not NO_QUORUM) is expected_quorum
    assert result.explanation.quorum_required == 3
    assert result.explanation.quorum_present == takes_part


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_with_an_empty_electorate_is_total(name: str) -> None:
    result = run(name, "")
    expected = PASSED if name == "lazy-consensus" else FAILED
    assert result.outcome is expected
    assert result.settled
    assert result.explanation.electorate == 0


@pytest.mark.parametrize("name", [n for n, r in PRESETS.items() if "abstain" in r.choices])
def test_every_preset_fails_when_everyone_abstains_except_lazy_consensus(name: str) -> None:
    result = run(name, "5 abstain")
    assert result.outcome is (PASSED if PRESETS[name].lazy_consensus else FAILED)


@pytest.mark.parametrize("name", [n for n, r in PRESETS.items() if r.recusal is not None])
def test_every_preset_fails_when_everyone_recuses(name: str) -> None:
    result = run(name, f"5 {PRESETS[name].recusal}")
    assert result.outcome is FAILED
    assert result.explanation.recused == 5
    assert result.explanation.counted_base == 0


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        ("simple-majority", "5 yes, 5 no"),
        ("two-thirds-of-body", "3 yes, 3 no"),  # half is short of two thirds
        ("apache-release", "3 yes, 3 no"),
        ("openstack-tc", "3 yes, 3 no"),
        ("iab", "2 yes, 2 no"),
    ],
)
def test_ties_fail(name: str, spec: str) -> None:
    assert run(name, spec).outcome is FAILED


@pytest.mark.parametrize(
    ("config", "spec", "expected"),
    [
        ({"preset": "simple-majority", "tie_passes": True}, "5 yes, 5 no", PASSED),
        ({"preset": "apache-release", "tie_passes": True}, "4 yes, 4 no", PASSED),
        ({"preset": "apache-release", "tie_passes": True}, "2 yes, 2 no", FAILED),  # min 3
        ({"preset": "openstack-tc", "tie_passes": True}, "3 yes, 3 no", PASSED),
    ],
)
def test_a_tie_can_be_made_to_pass(config: object, spec: str, expected: Outcome) -> None:
    assert run(config, spec).outcome is expected


@pytest.mark.parametrize(
    ("name", "spec", "settled", "may_close"),
    [
        ("simple-majority", "6 yes, 4 -", True, True),  # 6 of 10: cannot be outvoted
        ("simple-majority", "5 yes, 5 -", False, False),  # five No would tie it
        ("two-thirds-of-body", "6 yes, 3 -", True, True),
        ("two-thirds-of-body", "4 no, 5 -", True, True),  # two thirds is out of reach
        ("apache-release", "3 yes, 2 -", True, False),  # settled, but open 72 hours
        ("apache-release", "3 yes, 4 -", False, False),
        ("iab", "9 yes, 3 no, 1 -", True, True),  # three dissents already
        ("iab", "11 yes, 2 -", True, True),
        ("iab", "10 yes, 3 -", False, False),  # three more No would fail it
        ("iesg", "1 yes, 14 no_objection", True, False),  # decided at the telechat
    ],
)
def test_settled_and_closing_early(name: str, spec: str, settled: bool, may_close: bool) -> None:
    result = run(name, spec, at_deadline=False)
    assert (result.settled, result.may_close) == (settled, may_close)


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("simple-majority", "Robert's Rules"),
        ("two-thirds-of-body", "CNCF"),
        ("iesg", "IESG"),
        ("apache-release", "Apache"),
        ("openstack-tc", "OpenStack"),
        ("iab", "RFC 2850"),
        ("lazy-consensus", "lazy consensus"),
    ],
)
def test_each_preset_names_its_source(name: str, needle: str) -> None:
    assert needle in PRESETS[name].description
    assert needle in PRESETS[name].describe()
