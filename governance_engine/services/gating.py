"""Stage gating, enforced: a person leaves a ballot stage forward only through its passed ballot.

``lifecycle.gating`` says which actions are forward. Here the engine decides, once, for both
taking an action and listing the actions a person may take: a forward action fired by a person
needs the latest ballot of the current stage, held since the proposal entered it, to have
passed on the current revision; otherwise only an override the workflow declares on that
action lets it through, taken by one of the override's roles with a reason, and logged as an
override. The engine itself (``system``: ballot outcomes, timers) is not gated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from functools import lru_cache
from types import MappingProxyType

from governance_engine.errors import BallotRequired, InvalidInput
from governance_engine.lifecycle import (
    ActionDefinition,
    RoleRef,
    WorkflowDefinition,
    WorkflowMachine,
)
from governance_engine.lifecycle.gating import forward_map, is_forward
from governance_engine.persistence.models import Ballot, Proposal


class Gate(Enum):
    OPEN = "open"  # not forward out of a ballot stage, or the stage's ballot passed
    OVERRIDE = "override"  # only through the action's declared override (with a reason)
    CLOSED = "closed"  # neither: refused


@lru_cache(maxsize=128)
def _forward(definition: WorkflowDefinition) -> Mapping[str, frozenset[str]]:
    """Per workflow version (definitions are immutable and hash by digest): computed once."""
    return MappingProxyType(forward_map(definition))


def stage_ballot_passed(proposal: Proposal, closed_on_current_digest: Iterable[Ballot]) -> bool:
    """The latest ballot of the proposal's current stage on this text, closed since the
    proposal entered the stage, passed."""
    latest = None
    for ballot in closed_on_current_digest:  # oldest first
        closed = ballot.closed_at
        if ballot.stage == proposal.state and closed and closed >= proposal.state_entered_at:
            latest = ballot
    return latest is not None and latest.outcome == "passed"


def check(
    machine: WorkflowMachine,
    proposal: Proposal,
    action: ActionDefinition,
    roles: frozenset[str],
    passed: bool,
) -> Gate:
    """Whether a person holding ``roles`` may take ``action`` now, as far as gating goes."""
    if "system" in roles or passed:
        return Gate.OPEN
    if not is_forward(_forward(machine.definition), proposal.state, action):
        return Gate.OPEN
    override = action.override
    if override is not None and any(str(role) in roles for role in override.roles):
        return Gate.OVERRIDE
    return Gate.CLOSED


def enforce(
    machine: WorkflowMachine,
    proposal: Proposal,
    action: ActionDefinition,
    roles: frozenset[str],
    passed: bool,
    reason: str,
    describe: Callable[[Iterable[RoleRef]], str] = lambda roles: ", ".join(map(str, roles)),
) -> bool:
    """Refuse a gated action (BallotRequired, 409); True when it goes through as an override.

    ``describe`` words roles for the message (``the chair of wg-trust-validation``).
    """
    gate = check(machine, proposal, action, roles, passed)
    if gate is Gate.OPEN:
        return False
    stage = proposal.state
    if gate is Gate.CLOSED:
        declared = (
            f"; only {describe(action.override.roles)} may override it"
            if action.override is not None
            else ""
        )
        raise BallotRequired(
            f"{action.name} takes proposal {proposal.id} out of ballot stage {stage!r} "
            f"forward, and the {stage} ballot has not passed on the current revision{declared}",
            stage=stage,
            action=action.name,
        )
    if not reason.strip():
        raise InvalidInput(
            f"{action.name} without a passed {stage} ballot is an override: give a reason",
            field="reason",
        )
    return True
