"""A rule in plain English: what people read on a ballot page and in a decision record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from fractions import Fraction

from governance_engine.voting.ratio import ratio_words
from governance_engine.voting.rule import QuorumBasis, Rule, ThresholdBase

_BASE_WORDS = {
    ThresholdBase.CAST: "the votes cast (abstentions included)",
    ThresholdBase.CAST_EXCLUDING_ABSTENTIONS: "the votes cast, not counting abstentions",
    ThresholdBase.ELECTORATE_MINUS_RECUSED: "the whole electorate less those who recused",
    ThresholdBase.PRESENT: "the members present at the meeting less those who recused",
}


def share_words(share: Fraction) -> str:
    """``1/2`` -> ``half``, ``2/3`` -> ``two thirds``, ``1`` -> ``all``, else ``3/5``."""
    named = {
        Fraction(1, 2): "half",
        Fraction(1, 3): "a third",
        Fraction(2, 3): "two thirds",
        Fraction(1, 4): "a quarter",
        Fraction(3, 4): "three quarters",
        Fraction(1): "all",
    }
    return named.get(share, str(share))


def base_words(base: ThresholdBase) -> str:
    """The threshold base in words."""
    return _BASE_WORDS[base]


def duration_words(value: timedelta) -> str:
    """``72 hours``, ``7 days``, ``90 minutes``: the unit people use for ballot periods."""
    seconds = int(value.total_seconds())
    # Short periods read best in hours ("72 hours", as Apache writes it), long ones in weeks.
    units = (("week", 604800, 2), ("day", 86400, 4), ("hour", 3600, 1), ("minute", 60, 1))
    for unit, size, at_least in units:
        if seconds % size == 0 and seconds >= size * at_least:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def either(rule: Rule, choices: Iterable[str]) -> str:
    """Labels joined with "or": ``Yes or No Objection``."""
    labels = [rule.label(c) for c in choices]
    if len(labels) <= 1:
        return "".join(labels) or "nothing"
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def support_words(rule: Rule) -> str:
    """What counts as support, e.g. ``support (Yes or No Objection)``."""
    return f"support ({either(rule, rule.support)})"


def threshold_words(rule: Rule) -> str:
    """``more than half of the votes cast, not counting abstentions``."""
    if rule.threshold == 1 and not rule.threshold_strict:
        return f"unanimous support of {base_words(rule.threshold_base)}"
    which = "more than" if rule.threshold_strict else "at least"
    return f"{which} {share_words(rule.threshold)} of {base_words(rule.threshold_base)}"


def describe_rule(rule: Rule) -> str:
    """One paragraph: choices, pass condition, blocks, quorum, timing, secrecy."""
    sentences: list[str] = []
    title = rule.name if not rule.description else f"{rule.name}: {rule.description}"
    sentences.append(title.rstrip(".") + ".")
    sentences.append("Choices: " + ", ".join(rule.label(c) for c in rule.choices) + ".")
    sentences.append(_pass_sentence(rule))
    if rule.blocking:
        sentences.append(
            f"A standing {either(rule, rule.blocking)} blocks the ballot until its holder "
            "changes position."
        )
    if rule.recusal is not None:
        sentences.append(
            f"A voter who chooses {rule.label(rule.recusal)} is recused and leaves every "
            "denominator."
        )
    if rule.rationale_required:
        sentences.append(
            "A written rationale is required for "
            + _and([rule.label(c) for c in rule.rationale_required])
            + "."
        )
    quorum = _quorum_sentence(rule)
    if quorum:
        sentences.append(quorum)
    if rule.one_vote_per_organization:
        sentences.append(
            "Each organization has one counted vote: that of its first-listed member who has "
            "taken a position; blocks by any member still stand."
        )
    sentences.append(_timing_sentence(rule))
    if rule.secret:
        sentences.append("The ballot is secret: who voted is visible, how they voted is not.")
    return " ".join(sentences)


def _pass_sentence(rule: Rule) -> str:
    if rule.lazy_consensus:
        text = "Passes by lazy consensus: at the deadline, unless a block stands"
        if rule.max_no is not None:
            text += f" or more than {rule.max_no} vote {either(rule, rule.against)}"
        return text + "."
    needs: list[str] = []
    if rule.threshold or rule.threshold_strict:
        if rule.threshold == 0:
            needs.append(f"at least one {support_words(rule)}")
        else:
            needs.append(f"{support_words(rule)} from {threshold_words(rule)}")
    if rule.min_yes:
        needs.append(f"at least {rule.min_yes} {either(rule, rule.yes_choices)}")
    if rule.support_must_exceed_against:
        needs.append(f"more {either(rule, rule.support)} than {either(rule, rule.against)}")
    if rule.min_support_share_of_electorate:
        share = share_words(rule.min_support_share_of_electorate)
        needs.append(
            f"{either(rule, rule.support)} from at least {share} of the electorate "
            "(less recused, rounded up)"
        )
    support, against = either(rule, rule.support), either(rule, rule.against)
    if rule.ratio is not None:
        needs.append(ratio_words(rule.ratio, rule.ratio_strict, support, against))
    if rule.turnout_bands:
        needs.append(
            "support that depends on turnout (the share of the electorate that "
            + ("is present" if rule.quorum_basis is QuorumBasis.PRESENT else "takes part")
            + "): "
            + "; ".join(
                f"from {band.turnout_words()}, "
                + ratio_words(band.ratio, band.ratio_strict, support, against)
                for band in rule.turnout_bands
            )
            + "; with less turnout it fails"
        )
    if rule.max_no is not None:
        needs.append(f"no more than {rule.max_no} {either(rule, rule.against)}")
    text = "Passes with " + (_and(needs) if needs else "any result")
    if rule.tie_passes:
        text += "; a tie passes"
    elif rule.threshold_strict or rule.support_must_exceed_against:
        text += "; a tie fails"
    return text + "."


def _quorum_sentence(rule: Rule) -> str:
    parts = []
    if rule.quorum_share:
        parts.append(f"{share_words(rule.quorum_share)} of the electorate (rounded up)")
    if rule.quorum_min:
        parts.append(f"{rule.quorum_min} voter{'s' if rule.quorum_min != 1 else ''}")
    if not parts:
        return ""
    counted = []
    if not rule.quorum_counts_abstentions:
        counted.append("abstentions")
    if not rule.quorum_counts_recusals and rule.recusal is not None:
        counted.append("recusals")
    if rule.quorum_basis is QuorumBasis.PRESENT:
        return (
            "Quorum: at least "
            + " and at least ".join(parts)
            + " must be present at the meeting (members who vote are present); without it the "
            "ballot ends with no quorum."
        )
    text = "Quorum: at least " + " and at least ".join(parts) + " must take part"
    if counted:
        text += f" ({' and '.join(counted)} do not count)"
    return text + "; without it the ballot ends with no quorum."


def _timing_sentence(rule: Rule) -> str:
    if rule.duration is None:
        text = "Runs until closed"
    else:
        text = f"Runs for {duration_words(rule.duration)}"
    if rule.close_early:
        text += (
            "; it may close early once failure is certain"
            if rule.lazy_consensus
            else "; it may close early once the outcome can no longer change"
        )
    if rule.close_on_pass_after is not None and not rule.lazy_consensus:
        text += f"; once passing it may close after {duration_words(rule.close_on_pass_after)}"
    return text + "."


def _and(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
