"""A voting rule as frozen, hashable data (DESIGN §5).

A :class:`Rule` is copied into each ballot when it opens, so it is plain data: it can be
serialised (:meth:`Rule.to_dict` / :meth:`Rule.from_dict`), compared and hashed, and it
validates itself on construction so that a rule that exists can always be evaluated.

Choices play roles. A choice may count as *support*, as *against*, as an *abstention*, it may
*block*, or it may be *the recusal*; a choice with no role (say a bare ``"block"``) is still a
vote cast. Role tuples are normalised to the order of ``choices``, so two rules that list the
same roles in a different order are equal.

How the pass condition is built (all integer / :class:`~fractions.Fraction` arithmetic):

* **quorum**: at least ``max(ceil(quorum_share * electorate), quorum_min)`` must take part;
  abstentions and recusals count as taking part unless switched off. A ballot without quorum
  ends ``no_quorum``, whatever else holds.
* **blocks**: any current position whose choice is blocking fails the ballot.
* **threshold**: support compared with ``threshold`` of the base (``threshold_strict``: more
  than; otherwise at least). A share threshold is never met by zero support: "two thirds of
  nobody" does not pass a motion.
* ``min_yes`` (counted over ``min_yes_choices``, by default the support choices),
  ``max_no``, ``support_must_exceed_against`` and ``min_support_share_of_electorate``.
* ``ratio``: support at least (``ratio_strict``: more than) ``ratio`` times against, e.g. 3:1;
  ``turnout_bands``: a ratio that depends on turnout (see :mod:`governance_engine.voting.ratio`).
* **meetings**: with ``quorum_basis`` ``present`` the quorum counts members present at the
  meeting, and with ``threshold_base`` ``present`` the share is taken of them. Who is present
  is an input to evaluation; a member who has taken a position is present, so without an
  attendance list the members present are those who have voted.
* **ties** (support exactly at a strict threshold, or support equal to against where support
  must exceed it) fail unless ``tie_passes``.
* **recusal** leaves every denominator: ``electorate_minus_recused`` and the electorate share
  both subtract recused voters; the vote-cast bases never contained them.

``one_vote_per_organization`` caps each organization at one counted vote. Which one counts
follows the primary-representative / alternate convention of member-organization bodies
(W3C: one vote per Member organization however many participants it has; Linux Foundation
governing boards and most consortium boards: a member's alternate votes only in the absence of
its primary representative): the counted vote is that of the organization's first elector, in
electorate (seat) order, who has taken a position, recusal included. Later-listed members'
positions are recorded but not counted while an earlier one stands. A block is an individual's
objection, not a counted vote, so the cap never hides a block. Electors without an
organization count alone. With the cap on, every number (electorate, quorum, base) counts
organizations, not people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any, NoReturn

from governance_engine.errors import InvalidInput, RuleDefinitionError
from governance_engine.voting.ratio import TurnoutBand, check_bands, check_ratio


class ThresholdBase(StrEnum):
    """What the threshold share is taken of."""

    CAST = "cast"
    """Every vote cast, abstentions included (recusals are not votes cast)."""
    CAST_EXCLUDING_ABSTENTIONS = "cast_excluding_abstentions"
    """Votes cast, abstentions excluded: Robert's Rules' "votes cast"."""
    ELECTORATE_MINUS_RECUSED = "electorate_minus_recused"
    """The whole electorate, less those who recused: "2/3 of the body"."""
    PRESENT = "present"
    """The members present at the meeting where the vote is taken, less those who recused."""


class QuorumBasis(StrEnum):
    """What the quorum counts."""

    TAKING_PART = "taking_part"
    """Members who take part in the vote (abstentions and recusals as the rule says)."""
    PRESENT = "present"
    """Members present at the meeting where the vote is taken, whether they vote or not."""


def default_label(choice: str) -> str:
    """The label a choice gets when the rule gives none: ``no_objection`` -> ``No objection``."""
    return choice.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Rule:
    """A voting rule: choices and their roles, quorum, threshold and timing. See the module doc."""

    name: str = "custom"
    description: str = ""
    choices: tuple[str, ...] = ("yes", "no", "abstain", "recuse")
    labels: tuple[tuple[str, str], ...] = ()
    support: tuple[str, ...] = ("yes",)
    against: tuple[str, ...] = ("no",)
    abstain: tuple[str, ...] = ("abstain",)
    blocking: tuple[str, ...] = ()
    recusal: str | None = "recuse"
    rationale_required: tuple[str, ...] = ()
    quorum_share: Fraction = field(default=Fraction(0))
    quorum_min: int = 0
    quorum_counts_abstentions: bool = True
    quorum_counts_recusals: bool = True
    threshold_base: ThresholdBase = ThresholdBase.CAST_EXCLUDING_ABSTENTIONS
    threshold: Fraction = field(default=Fraction(1, 2))
    threshold_strict: bool = True
    min_yes: int = 0
    min_yes_choices: tuple[str, ...] = ()
    max_no: int | None = None
    support_must_exceed_against: bool = False
    min_support_share_of_electorate: Fraction = field(default=Fraction(0))
    tie_passes: bool = False
    lazy_consensus: bool = False
    one_vote_per_organization: bool = False
    duration: timedelta | None = None
    close_early: bool = False
    close_on_pass_after: timedelta | None = None
    secret: bool = False
    ratio: Fraction | None = None
    ratio_strict: bool = False
    turnout_bands: tuple[TurnoutBand, ...] = ()
    quorum_basis: QuorumBasis = QuorumBasis.TAKING_PART

    def __post_init__(self) -> None:
        _Validator(self).run()

    # -- derived views -------------------------------------------------------------------

    def label(self, choice: str) -> str:
        """The human label of ``choice`` (the choice itself if it is unknown)."""
        return dict(self.labels).get(choice, choice)

    @property
    def counts_presence(self) -> bool:
        """The rule counts members present at a meeting (quorum or threshold base)."""
        return (
            self.quorum_basis is QuorumBasis.PRESENT or self.threshold_base is ThresholdBase.PRESENT
        )

    @property
    def yes_choices(self) -> tuple[str, ...]:
        """The choices ``min_yes`` counts: ``min_yes_choices``, or else the support choices."""
        return self.min_yes_choices or self.support

    # -- positions -----------------------------------------------------------------------

    def check_position(self, choice: str, rationale: str | None) -> None:
        """Refuse a position this rule does not allow (DESIGN §2, Vote).

        The choice must be one of the rule's choices, and blocking choices, the recusal and any
        choice listed in ``rationale_required`` need a non-blank rationale.
        """
        if choice not in self.choices:
            valid = ", ".join(self.choices)
            raise InvalidInput(
                f"unknown choice {choice!r}; valid choices: {valid}",
                field="choice",
                choice=choice,
                valid_choices=list(self.choices),
            )
        if choice in self.rationale_required and (rationale is None or not rationale.strip()):
            raise InvalidInput(
                f"a rationale is required for {self.label(choice)!r} ({choice})",
                field="rationale",
                choice=choice,
            )

    # -- serialisation -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """This rule as JSON-safe data: fractions as ``"2/3"``, durations as ISO-8601."""
        from governance_engine.voting._serialize import rule_to_dict

        return rule_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """The inverse of :meth:`to_dict`; missing keys take defaults, unknown keys are refused."""
        from governance_engine.voting._serialize import rule_from_dict

        return rule_from_dict(data)

    def describe(self) -> str:
        """The rule in plain English, one paragraph."""
        from governance_engine.voting._describe import describe_rule

        return describe_rule(self)


class _Validator:
    """Checks a freshly built rule and normalises its role tuples (frozen, so via setattr)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def fail(self, key: str, problem: str) -> NoReturn:
        raise RuleDefinitionError(f"{key}: {problem}", key=key)

    def set(self, key: str, value: object) -> None:
        object.__setattr__(self.rule, key, value)

    def run(self) -> None:
        self.check_texts()
        self.check_choices()
        self.check_roles()
        self.check_numbers()
        self.check_ratios()
        self.check_lazy_consensus()
        self.check_timing()

    def check_texts(self) -> None:
        for key in ("name", "description"):
            if not isinstance(getattr(self.rule, key), str):
                self.fail(key, "must be a string")

    def check_choices(self) -> None:
        choices = self.rule.choices
        if not isinstance(choices, tuple) or not choices:
            self.fail("choices", "must be a non-empty tuple of choice names")
        for choice in choices:
            if not isinstance(choice, str) or not choice.strip():
                self.fail("choices", f"{choice!r} is not a non-blank string")
        if len(set(choices)) != len(choices):
            self.fail("choices", "lists a choice twice")
        given: dict[str, str] = {}
        if not isinstance(self.rule.labels, tuple):
            self.fail("labels", "must be a tuple of (choice, label) pairs")
        for pair in self.rule.labels:
            if not (
                isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
            ):
                self.fail("labels", f"{pair!r} is not a (choice, label) pair of strings")
            key, text = pair
            if key not in choices:
                self.fail("labels", f"{key!r} is not one of the choices {', '.join(choices)}")
            if key in given:
                self.fail("labels", f"{key!r} is labelled twice")
            given[key] = text
        # Every choice gets a label, in choice order, so equal rules compare equal.
        self.set("labels", tuple((c, given.get(c, default_label(c))) for c in choices))

    def roles(self, key: str) -> tuple[str, ...]:
        value = getattr(self.rule, key)
        if not isinstance(value, tuple) or not all(isinstance(c, str) for c in value):
            self.fail(key, "must be a tuple of choice names")
        for choice in value:
            if choice not in self.rule.choices:
                self.fail(
                    key, f"{choice!r} is not one of the choices {', '.join(self.rule.choices)}"
                )
        if len(set(value)) != len(value):
            self.fail(key, "lists a choice twice")
        ordered = tuple(c for c in self.rule.choices if c in value)
        self.set(key, ordered)
        return ordered

    def check_roles(self) -> None:
        support = self.roles("support")
        against = self.roles("against")
        abstain = self.roles("abstain")
        blocking = self.roles("blocking")
        yes = self.roles("min_yes_choices")
        recusal = self.rule.recusal
        if not support:
            self.fail("support", "at least one choice must count as support")
        for a, b, what in (
            ("support", "against", "both support and against"),
            ("support", "abstain", "both support and an abstention"),
            ("against", "abstain", "both against and an abstention"),
            ("support", "blocking", "both support and blocking"),
            ("abstain", "blocking", "both an abstention and blocking"),
        ):
            both = set(getattr(self.rule, a)) & set(getattr(self.rule, b))
            if both:
                self.fail(b, f"{sorted(both)[0]!r} cannot be {what}")
        if not set(yes) <= set(support):
            self.fail("min_yes_choices", "every choice min_yes counts must also count as support")
        if recusal is not None:
            if not isinstance(recusal, str) or recusal not in self.rule.choices:
                self.fail("recusal", f"{recusal!r} is not one of the choices")
            if recusal in set(support) | set(against) | set(abstain) | set(blocking):
                self.fail("recusal", f"{recusal!r} cannot also support, oppose, abstain or block")
        self.roles("rationale_required")
        # DESIGN §2: a rationale is required for blocking choices and for recusal.
        needs = {*self.rule.rationale_required, *blocking, recusal}
        self.set("rationale_required", tuple(c for c in self.rule.choices if c in needs))

    def share(self, key: str) -> Fraction:
        value: object = getattr(self.rule, key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = Fraction(value)
            self.set(key, value)
        if not isinstance(value, Fraction):
            self.fail(key, f"must be a fraction such as '2/3', not {value!r}")
        if not 0 <= value <= 1:
            self.fail(key, f"must be between 0 and 1, not {value}")
        return value

    def count(self, key: str, *, optional: bool = False) -> None:
        value = getattr(self.rule, key)
        if optional and value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(key, f"must be a whole number of votes, 0 or more, not {value!r}")

    def flag(self, key: str) -> None:
        if not isinstance(getattr(self.rule, key), bool):
            self.fail(key, "must be true or false")

    def check_numbers(self) -> None:
        self.share("quorum_share")
        self.share("min_support_share_of_electorate")
        threshold = self.share("threshold")
        self.count("quorum_min")
        self.count("min_yes")
        self.count("max_no", optional=True)
        for key in (
            "quorum_counts_abstentions",
            "quorum_counts_recusals",
            "threshold_strict",
            "support_must_exceed_against",
            "tie_passes",
            "lazy_consensus",
            "one_vote_per_organization",
            "close_early",
            "secret",
            "ratio_strict",
        ):
            self.flag(key)
        try:
            self.set("threshold_base", ThresholdBase(self.rule.threshold_base))
        except ValueError:
            options = ", ".join(b.value for b in ThresholdBase)
            self.fail("threshold_base", f"{self.rule.threshold_base!r} is not one of {options}")
        if threshold == 1 and self.rule.threshold_strict and not self.rule.tie_passes:
            self.fail("threshold", "more than all of the base can never be reached")
        try:
            self.set("quorum_basis", QuorumBasis(self.rule.quorum_basis))
        except ValueError:
            options = ", ".join(b.value for b in QuorumBasis)
            self.fail("quorum_basis", f"{self.rule.quorum_basis!r} is not one of {options}")

    def check_ratios(self) -> None:
        ratio: object = self.rule.ratio
        if isinstance(ratio, int) and not isinstance(ratio, bool):
            ratio = Fraction(ratio)
            self.set("ratio", ratio)
        if ratio is not None and not isinstance(ratio, Fraction):
            self.fail("ratio", f"must be a ratio such as '3:1', not {ratio!r}")
        if ratio is not None:
            check_ratio("ratio", ratio)
        if ratio is None and self.rule.ratio_strict:
            self.fail("ratio_strict", "only means something with a ratio")
        check_bands(self.rule.turnout_bands)

    def check_lazy_consensus(self) -> None:
        rule = self.rule
        if not rule.lazy_consensus:
            return
        # Lazy consensus passes on silence; a support requirement would contradict it.
        if rule.threshold != 0 or rule.threshold_strict:
            self.fail("threshold", "a lazy-consensus rule passes on silence: set threshold to 0")
        for key in ("min_yes", "support_must_exceed_against", "ratio", "turnout_bands"):
            if getattr(rule, key):
                self.fail(key, "a lazy-consensus rule passes on silence and cannot require support")
        if rule.min_support_share_of_electorate:
            self.fail(
                "min_support_share_of_electorate",
                "a lazy-consensus rule passes on silence and cannot require support",
            )

    def check_timing(self) -> None:
        for key in ("duration", "close_on_pass_after"):
            value = getattr(self.rule, key)
            if value is None:
                continue
            if not isinstance(value, timedelta):
                self.fail(key, f"must be a duration, not {value!r}")
            if value.microseconds:
                self.fail(key, "must be a whole number of seconds")
            if value < timedelta(0) or (key == "duration" and value == timedelta(0)):
                self.fail(key, "must be positive")
