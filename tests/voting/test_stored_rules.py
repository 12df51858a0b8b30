"""Rules already stored in ballots (as JSON) keep loading, and write back byte for byte.

Fields added to :class:`Rule` later (``ratio``, ``ratio_strict``, ``turnout_bands``,
``quorum_basis``) have defaults and are written only when set, so a stored rule's JSON, and
any digest over it, does not change when the engine learns new rule fields.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from governance_engine.voting import PRESETS, Elector, Outcome, Rule, evaluate

# As a ballot opened under the openstack-tc preset stored it before those fields existed.
OLD_OPENSTACK_TC = json.loads(
    """{"name": "openstack-tc", "description": "OpenStack TC motion: more yes than no (a tie
    rejects) and yes from at least a third of all TC members, rounded up (OpenStack TC charter,
    motions)", "choices": [["yes", "Yes"], ["no", "No"], ["abstain", "Abstain"]], "support":
    ["yes"], "against": ["no"], "abstain": ["abstain"], "blocking": [], "recusal": null,
    "rationale_required": [], "quorum_share": "0", "quorum_min": 0,
    "quorum_counts_abstentions": true, "quorum_counts_recusals": true, "threshold_base":
    "cast_excluding_abstentions", "threshold": "0", "threshold_strict": false, "min_yes": 0,
    "min_yes_choices": [], "max_no": null, "support_must_exceed_against": true,
    "min_support_share_of_electorate": "1/3", "tie_passes": false, "lazy_consensus": false,
    "one_vote_per_organization": false, "duration": "P7D", "close_early": false,
    "close_on_pass_after": null, "secret": false}""".replace("\n    ", " ")
)

OLD_IESG: dict[str, Any] = {
    "name": "iesg",
    "description": "IETF IESG ballot: Yes or No Objection from two thirds of the sitting ADs "
    "not recused, at least one Yes, and no standing DISCUSS (IESG ballot procedures)",
    "choices": [
        ["yes", "Yes"],
        ["no_objection", "No Objection"],
        ["discuss", "Discuss"],
        ["abstain", "Abstain"],
        ["recuse", "Recuse"],
    ],
    "support": ["yes", "no_objection"],
    "against": [],
    "abstain": ["abstain"],
    "blocking": ["discuss"],
    "recusal": "recuse",
    "rationale_required": ["discuss", "recuse"],
    "quorum_share": "0",
    "quorum_min": 0,
    "quorum_counts_abstentions": True,
    "quorum_counts_recusals": True,
    "threshold_base": "electorate_minus_recused",
    "threshold": "2/3",
    "threshold_strict": False,
    "min_yes": 1,
    "min_yes_choices": ["yes"],
    "max_no": None,
    "support_must_exceed_against": False,
    "min_support_share_of_electorate": "0",
    "tie_passes": False,
    "lazy_consensus": False,
    "one_vote_per_organization": False,
    "duration": "P14D",
    "close_early": False,
    "close_on_pass_after": None,
    "secret": False,
}


def test_an_old_stored_rule_loads_and_round_trips_unchanged() -> None:
    for stored in (OLD_OPENSTACK_TC, OLD_IESG):
        rule = Rule.from_dict(stored)
        assert rule.ratio is None
        assert rule.turnout_bands == ()
        assert not rule.counts_presence
        assert rule.to_dict() == stored
        assert json.dumps(rule.to_dict()) == json.dumps(stored)  # same keys, same order
    assert Rule.from_dict(OLD_IESG) == PRESETS["iesg"]
    assert Rule.from_dict(OLD_OPENSTACK_TC) == PRESETS["openstack-tc"]


def test_an_old_stored_rule_evaluates_as_before() -> None:
    rule = Rule.from_dict(OLD_OPENSTACK_TC)
    electorate = [Elector(v) for v in range(1, 10)]
    yes_no = {1: "yes", 2: "yes", 3: "yes", 4: "no"}
    result = evaluate(rule, electorate, yes_no, elapsed=timedelta(0), at_deadline=True)
    assert result.outcome is Outcome.PASSED
    assert "present" not in result.explanation.to_dict()


def test_new_fields_are_written_only_when_set() -> None:
    plain = Rule().to_dict()
    assert not {"ratio", "ratio_strict", "turnout_bands", "quorum_basis"} & set(plain)
    meeting = PRESETS["cncf-toc-meeting"].to_dict()
    assert meeting["quorum_basis"] == "present"
    assert meeting["threshold_base"] == "present"
    assert Rule.from_dict(meeting) == PRESETS["cncf-toc-meeting"]
