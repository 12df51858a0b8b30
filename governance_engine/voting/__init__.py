"""Voting rules as pure, total functions over a tally (DESIGN §5).

No database, no web framework, no clock, no I/O: a :class:`Rule` is frozen data, and
:func:`evaluate` turns a rule, a frozen electorate and the current positions into an
:class:`Evaluation` (outcome, whether it is settled, whether the ballot may close) with an
:class:`Explanation` of what is still needed, in numbers and words.

    rule = parse_rule({"preset": "iab", "min_yes": 5})
    result = evaluate(rule, electorate, {17: "yes"}, elapsed=timedelta(hours=3), at_deadline=False)
    result.explanation.missing   # ("needs 4 more support (Yes) from the 12 who have not voted",)
"""

from governance_engine.voting._tally import quorum_required
from governance_engine.voting.ballot import Elector, Outcome
from governance_engine.voting.evaluate import Evaluation, evaluate
from governance_engine.voting.explain import Explanation
from governance_engine.voting.presets import PRESETS, parse_rule
from governance_engine.voting.ratio import TurnoutBand
from governance_engine.voting.rule import QuorumBasis, Rule, ThresholdBase

__all__ = [
    "PRESETS",
    "Elector",
    "Evaluation",
    "Explanation",
    "Outcome",
    "QuorumBasis",
    "Rule",
    "ThresholdBase",
    "TurnoutBand",
    "evaluate",
    "parse_rule",
    "quorum_required",
]
