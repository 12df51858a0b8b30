"""Real voting rules, ready to use, and :func:`parse_rule` to pick or adapt one.

Each preset reproduces the rule of a real body; its ``description`` names the source. Choices
made where the source is silent are stated here and in the description.

* ``simple-majority``: Robert's Rules of Order (RONR 12th ed. §1:7, §4:35, §44): more Yes than
  half of the votes cast, where abstentions are not votes cast; quorum of at least half of the
  body taking part (abstentions and recusals are present, so they count toward it).
* ``two-thirds-of-body``: CNCF TOC (CNCF charter §6; TOC process "2/3 supermajority vote of
  the TOC", tallied by gitvote over all TOC members): Yes from at least two thirds of the whole
  TOC. Silence counts against, as with gitvote. A recused member leaves the denominator
  (DESIGN §5); with no recusal the base is the whole TOC.
* ``iesg``: IETF IESG ballot procedures: Yes + No Objection from at least two thirds of the
  sitting ADs not recused, at least one Yes, and no standing DISCUSS (which needs a rationale).
* ``apache-release``: Apache release policy ("Release approval"): at least three binding +1
  and more +1 than -1; the vote stays open 72 hours.
* ``openstack-tc``: OpenStack TC charter ("Motions"): more yes than no (a tie rejects), and yes
  from at least a third of all TC members, rounded up.
* ``iab``: IAB charter, RFC 2850 §3.5: "at least seven full members concur and there are no
  more than two dissents". N = 7 by default; adapt with ``{"preset": "iab", "min_yes": 5}``.
* ``lazy-consensus``: Apache lazy consensus: passes after 72 hours unless someone objects; an
  objection needs a rationale. It never closes early: an objection can be withdrawn until the
  deadline, and consent only exists once the deadline has passed.
* ``w3c-appeal``: W3C Process Document (18 August 2025), "Appeal by Advisory Committee
  Representatives": participation (abstentions included) below 5% fails; from 5% up to and
  including 15%, Approve must exceed 3 x Reject; above 15% and below 20%, 2 x Reject; from 20%,
  Approve must exceed Reject. One vote per Member (§ "Advisory Committee Votes"). The vote's
  period is not set there; four weeks is our default. (The 2023 Process had no bands: the
  decision was overturned when Reject exceeded Approve.)
* ``cncf-toc-meeting``: CNCF charter §6(c)(vii)-(viii): a TOC meeting needs a quorum of two
  thirds of the TOC's total members to vote, and a decision passes with more than 50% of the TOC
  members present. A recused member leaves that base (DESIGN §5).
* ``openstack-tc-meeting``: OpenStack TC charter, "Meeting" and "Motions": a meeting is held
  only with at least half of the members present (rounded up); a motion needs more yes than no
  (a tie rejects) and yes from at least a third of all members (rounded up). The charter votes
  motions in Gerrit over 7 days; this preset applies its motion rule to a vote taken in a
  meeting with the charter's meeting quorum.

The meeting presets run for one day unless the ballot is given an earlier deadline (the end of
the meeting), and may close as soon as the outcome can no longer change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from governance_engine.errors import RuleDefinitionError
from governance_engine.voting.ratio import TurnoutBand
from governance_engine.voting.rule import QuorumBasis, Rule, ThresholdBase

_SIMPLE_MAJORITY = Rule(
    name="simple-majority",
    description=(
        "Simple majority of the votes cast with a quorum of half the body (Robert's Rules of "
        "Order: abstentions are not votes cast)"
    ),
    threshold_base=ThresholdBase.CAST_EXCLUDING_ABSTENTIONS,
    threshold=Fraction(1, 2),
    threshold_strict=True,
    quorum_share=Fraction(1, 2),
    duration=timedelta(days=7),
    close_early=True,
)

_TWO_THIRDS_OF_BODY = Rule(
    name="two-thirds-of-body",
    description=(
        "Two thirds of the whole body, as the CNCF TOC decides (CNCF charter §6: a 2/3 "
        "supermajority vote of the TOC); recused members leave the count"
    ),
    threshold_base=ThresholdBase.ELECTORATE_MINUS_RECUSED,
    threshold=Fraction(2, 3),
    threshold_strict=False,
    duration=timedelta(weeks=6),
    close_early=True,
)

_IESG = Rule(
    name="iesg",
    description=(
        "IETF IESG ballot: Yes or No Objection from two thirds of the sitting ADs not recused, "
        "at least one Yes, and no standing DISCUSS (IESG ballot procedures)"
    ),
    choices=("yes", "no_objection", "discuss", "abstain", "recuse"),
    labels=(
        ("yes", "Yes"),
        ("no_objection", "No Objection"),
        ("discuss", "Discuss"),
        ("abstain", "Abstain"),
        ("recuse", "Recuse"),
    ),
    support=("yes", "no_objection"),
    against=(),
    abstain=("abstain",),
    blocking=("discuss",),
    recusal="recuse",
    threshold_base=ThresholdBase.ELECTORATE_MINUS_RECUSED,
    threshold=Fraction(2, 3),
    threshold_strict=False,
    min_yes=1,
    min_yes_choices=("yes",),
    duration=timedelta(days=14),
)

_APACHE_RELEASE = Rule(
    name="apache-release",
    description=(
        "Apache release vote: at least three binding +1 and more +1 than -1, open 72 hours "
        "(ASF release policy, release approval)"
    ),
    choices=("yes", "no", "abstain"),
    labels=(("yes", "+1"), ("no", "-1"), ("abstain", "0")),
    recusal=None,
    threshold=Fraction(0),
    threshold_strict=False,
    min_yes=3,
    support_must_exceed_against=True,
    duration=timedelta(hours=72),
)

_OPENSTACK_TC = Rule(
    name="openstack-tc",
    description=(
        "OpenStack TC motion: more yes than no (a tie rejects) and yes from at least a third "
        "of all TC members, rounded up (OpenStack TC charter, motions)"
    ),
    choices=("yes", "no", "abstain"),
    recusal=None,
    threshold=Fraction(0),
    threshold_strict=False,
    support_must_exceed_against=True,
    min_support_share_of_electorate=Fraction(1, 3),
    duration=timedelta(days=7),
)

_IAB = Rule(
    name="iab",
    description=(
        "IAB decision: at least seven members concur and no more than two dissent "
        "(IAB charter, RFC 2850 §3.5)"
    ),
    threshold=Fraction(0),
    threshold_strict=False,
    min_yes=7,
    max_no=2,
    duration=timedelta(days=14),
    close_early=True,
)

_LAZY_CONSENSUS = Rule(
    name="lazy-consensus",
    description=(
        "Lazy consensus: passes after 72 hours unless someone objects; an objection needs a "
        "rationale and stands until withdrawn (Apache voting process, lazy consensus)"
    ),
    choices=("yes", "object", "abstain"),
    labels=(("yes", "Support"), ("object", "Object"), ("abstain", "Abstain")),
    support=("yes",),
    against=(),
    abstain=("abstain",),
    blocking=("object",),
    recusal=None,
    threshold=Fraction(0),
    threshold_strict=False,
    lazy_consensus=True,
    duration=timedelta(hours=72),
)

_W3C_APPEAL = Rule(
    name="w3c-appeal",
    description=(
        "W3C Advisory Committee appeal vote: below 5% participation it fails; 5% to 15%, "
        "Approve must exceed three times Reject; above 15% and below 20%, twice Reject; 20% or "
        "more, Approve must exceed Reject; one vote per Member (W3C Process Document 2025, "
        "Appeal by Advisory Committee Representatives)"
    ),
    choices=("yes", "no", "abstain"),
    labels=(("yes", "Approve"), ("no", "Reject"), ("abstain", "Abstain")),
    recusal=None,
    threshold=Fraction(0),
    threshold_strict=False,
    turnout_bands=(
        TurnoutBand(Fraction(5, 100), Fraction(3), ratio_strict=True),
        TurnoutBand(Fraction(15, 100), Fraction(2), ratio_strict=True, turnout_strict=True),
        TurnoutBand(Fraction(20, 100), Fraction(1), ratio_strict=True),
    ),
    one_vote_per_organization=True,
    duration=timedelta(weeks=4),
)

_CNCF_TOC_MEETING = Rule(
    name="cncf-toc-meeting",
    description=(
        "CNCF TOC vote in a meeting: quorum of two thirds of all TOC members present; passes "
        "with more than half of the members present (CNCF charter §6(c)(vii)-(viii))"
    ),
    quorum_basis=QuorumBasis.PRESENT,
    quorum_share=Fraction(2, 3),
    threshold_base=ThresholdBase.PRESENT,
    threshold=Fraction(1, 2),
    threshold_strict=True,
    duration=timedelta(days=1),
    close_early=True,
)

_OPENSTACK_TC_MEETING = Rule(
    name="openstack-tc-meeting",
    description=(
        "OpenStack TC vote in a meeting: at least half of the members present; more yes than "
        "no (a tie rejects) and yes from at least a third of all TC members, rounded up "
        "(OpenStack TC charter, meeting and motions)"
    ),
    choices=("yes", "no", "abstain"),
    recusal=None,
    quorum_basis=QuorumBasis.PRESENT,
    quorum_share=Fraction(1, 2),
    threshold=Fraction(0),
    threshold_strict=False,
    support_must_exceed_against=True,
    min_support_share_of_electorate=Fraction(1, 3),
    duration=timedelta(days=1),
    close_early=True,
)

PRESETS: Mapping[str, Rule] = MappingProxyType(
    {
        rule.name: rule
        for rule in (
            _SIMPLE_MAJORITY,
            _TWO_THIRDS_OF_BODY,
            _IESG,
            _APACHE_RELEASE,
            _OPENSTACK_TC,
            _IAB,
            _LAZY_CONSENSUS,
            _W3C_APPEAL,
            _CNCF_TOC_MEETING,
            _OPENSTACK_TC_MEETING,
        )
    }
)


def parse_rule(config: str | Mapping[str, Any]) -> Rule:
    """A rule from configuration: a preset name, a full rule mapping, or a preset with overrides.

    ``"iesg"``; ``{"preset": "iab", "min_yes": 5}``; or any mapping :meth:`Rule.from_dict`
    accepts. Overrides replace whole keys of the preset (``choices`` carries its labels).
    """
    if isinstance(config, str):
        return _preset(config)
    if not isinstance(config, Mapping):
        raise RuleDefinitionError(
            f"a rule is a preset name or a mapping, not {type(config).__name__}"
        )
    if "preset" not in config:
        return Rule.from_dict(config)
    name = config["preset"]
    if not isinstance(name, str):
        raise RuleDefinitionError(f"preset: must be a preset name, not {name!r}", key="preset")
    base = _preset(name).to_dict()
    overrides = {k: v for k, v in config.items() if k != "preset"}
    try:
        return Rule.from_dict({**base, **overrides})
    except RuleDefinitionError as exc:
        raise RuleDefinitionError(
            f"preset {name!r} with overrides: {exc.message}", **exc.details
        ) from None


def _preset(name: str) -> Rule:
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(PRESETS)
        raise RuleDefinitionError(
            f"preset: unknown preset {name!r}; known presets: {known}", key="preset"
        ) from None
