"""Stage gating: which ways out of a ballot stage need that stage's ballot to have passed.

A ballot stage exists to have its body decide. Leaving it *forward* is possible only through
its ballot, passed on the current revision, or through an override the workflow declares on
the action (``override: {roles: [...], reason: required}``), logged as an override.

*Forward*, precisely. Let S be a ballot stage, P the destination of the action its ``passed``
outcome fires, F the destinations of its ``failed`` and ``no_quorum`` actions, and I the
workflow's initial state. R(X) is the set of states reachable from X (X included) along
actions that never enter S. An action leaving S (its destination is not S) is forward when its
destination is P, or lies in R(P) but neither in R(I) nor in any R(F): a state the workflow
reaches only through S, and only by passing its ballot. Returning, withdrawing, deferring and
rejecting where a failed ballot, or the way to S itself, would lead are therefore not forward;
skipping ahead to where a passed ballot leads (or beyond) is.

The engine fires outcome and timer actions as ``system``; gating applies to people.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Final

from governance_engine.lifecycle.definition import ActionDefinition, WorkflowDefinition

BALLOT_PASSED: Final = "ballot_passed"
"""The guard that states, in a workflow file, that an action needs its stage's passed ballot."""


def _reach(start: str, stage: str, edges: Mapping[str, Iterable[str]]) -> set[str]:
    """States reachable from ``start`` (itself included) without entering ``stage``."""
    if start == stage:
        return set()
    seen = {start}
    queue = deque([start])
    while queue:
        for dest in edges.get(queue.popleft(), ()):
            if dest != stage and dest not in seen:
                seen.add(dest)
                queue.append(dest)
    return seen


def forward_states(
    stage: str,
    passed_dest: str | None,
    other_dests: Iterable[str],
    edges: Mapping[str, Iterable[str]],
    initial: str | None = None,
) -> frozenset[str]:
    """The destinations that make an action leaving ``stage`` forward (see the module doc)."""
    if passed_dest is None or passed_dest == stage:
        return frozenset()
    ahead = _reach(passed_dest, stage, edges)
    for dest in [*other_dests, *([initial] if initial is not None else [])]:
        ahead -= _reach(dest, stage, edges)
    return frozenset(ahead | {passed_dest})


def edges_of(actions: Iterable[tuple[Iterable[str], str | None]]) -> dict[str, set[str]]:
    """Source state -> destination states, from (sources, dest) pairs."""
    edges: dict[str, set[str]] = {}
    for sources, dest in actions:
        if dest is None:
            continue
        for source in sources:
            edges.setdefault(source, set()).add(dest)
    return edges


def forward_by_stage(
    outcomes: Mapping[str, Mapping[str, str]],
    actions: Mapping[str, tuple[Iterable[str], str | None]],
    initial: str | None,
) -> dict[str, frozenset[str]]:
    """For each ballot stage (its outcome -> action names), the destinations forward out of it.

    ``actions``: each action's (sources, dest). Shared by the load-time check and the engine.
    """
    edges = edges_of(actions.values())

    def dest(stage: str, outcome: str) -> str | None:
        action = actions.get(outcomes[stage].get(outcome, ""))
        return action[1] if action is not None else None

    result: dict[str, frozenset[str]] = {}
    for stage in outcomes:
        others = [d for d in (dest(stage, "failed"), dest(stage, "no_quorum")) if d is not None]
        result[stage] = forward_states(stage, dest(stage, "passed"), others, edges, initial)
    return result


def forward_map(definition: WorkflowDefinition) -> dict[str, frozenset[str]]:
    """For each ballot stage of a definition, the destinations that are forward out of it."""
    return forward_by_stage(
        {
            name: state.ballot.outcomes
            for name, state in definition.states.items()
            if state.ballot is not None
        },
        {name: (action.sources, action.dest) for name, action in definition.actions.items()},
        definition.initial,
    )


def is_forward(forward: Mapping[str, frozenset[str]], state: str, action: ActionDefinition) -> bool:
    """Whether ``action`` taken in ``state`` leaves a ballot stage forward."""
    return action.dest != state and action.dest in forward.get(state, frozenset())
