"""Replay for motions voted in meetings: each outcome recomputed from its log entries alone.

Rule (issue 24): a motion's outcome is its frozen meeting rule applied to the logged
electorate, members present and positions (the same ``voting.evaluate`` as ballots), and the
``motions`` table holds exactly the motions the log decided, with that outcome.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta

from governance_engine.errors import RuleDefinitionError
from governance_engine.log.replay_motions import MotionFacts, MotionReplay
from governance_engine.log.replay_records import Difference
from governance_engine.voting import Elector, Evaluation, Rule, evaluate

RECOMPUTED = "recomputed from the frozen rule"


def recompute_motion(facts: MotionFacts) -> Evaluation:
    """The outcome the rule gives for the logged members present and positions."""
    return evaluate(
        Rule.from_dict(facts.rule),
        [Elector(voter_id=person, organization_id=org) for person, org in facts.electorate],
        facts.positions,
        elapsed=timedelta(0),
        at_deadline=True,
        present=facts.present,
    )


def check_motions(folded: MotionReplay, stored: Mapping[int, str]) -> Iterator[Difference]:
    """Differences between the motions the log decided, their recomputed and stored outcomes."""
    for problem in folded.problems:
        yield Difference("motions", "log", None, "a readable entry", problem, "replay", "log")
    decided = {i: f for i, f in folded.motions.items() if f.outcome is not None}
    for motion_id in sorted(decided.keys() | stored.keys()):
        key = f"id={motion_id}"
        facts = decided.get(motion_id)
        if facts is None or motion_id not in stored:
            yield Difference("motions", key, None, facts is not None, motion_id in stored)
            continue
        try:
            outcome = recompute_motion(facts).outcome.value
        except RuleDefinitionError as error:
            yield Difference(
                "motions",
                key,
                "rule",
                "a rule it can read",
                f"refused: {error}",
                "recomputing needs",
                "log (motion.raised)",
            )
            continue
        if outcome != facts.outcome:
            logged = "log (motion.decided)"
            yield Difference("motions", key, "outcome", outcome, facts.outcome, RECOMPUTED, logged)
        if stored[motion_id] != facts.outcome:
            yield Difference("motions", key, "outcome", facts.outcome, stored[motion_id])
