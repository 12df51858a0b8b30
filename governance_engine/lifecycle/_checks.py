"""Checks across a workflow: references between states and actions, and the shape of the graph.

A lifecycle that parses can still trap a proposal (a state with no way out), lose one (a state
nothing leads to), or let the engine fire an action nobody may take. These checks refuse such a
file at load, so the problem surfaces in review rather than in a live proposal.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable

from governance_engine.lifecycle._draft import Draft
from governance_engine.lifecycle._parse import Problems, join
from governance_engine.lifecycle.definition import SYSTEM, RoleRef
from governance_engine.lifecycle.gating import BALLOT_PASSED, forward_by_stage

_SYSTEM_ROLE = RoleRef(None, SYSTEM)


def check_references(problems: Problems, draft: Draft) -> None:
    states = draft.states
    if draft.initial is not None and states and draft.initial not in states:
        problems.add("initial", _unknown("state", draft.initial, states))
    for name, action in draft.actions.items():
        for source in action.sources:
            if source not in states:
                problems.add(join("actions", name, "source"), _unknown("state", source, states))
        if action.dest is not None and action.dest not in states:
            problems.add(join("actions", name, "dest"), _unknown("state", action.dest, states))
    for name, state in states.items():
        path = join("states", name)
        if state.ballot is not None:
            for outcome, action_name in state.ballot.outcomes.items():
                _check_system_action(
                    problems, join(path, "ballot", "outcomes", outcome), draft, name, action_name
                )
        if state.timer is not None and state.timer.action is not None:
            _check_system_action(
                problems, join(path, "timer", "action"), draft, name, state.timer.action
            )
    ballots = [state.ballot for state in states.values() if state.ballot is not None]
    balloting = {ballot.body for ballot in ballots}
    for index, body in enumerate(draft.approval_requires):
        if body not in balloting and None not in balloting:  # None: a body already reported
            problems.add(
                join("approval_requires", index),
                f"body {body!r} votes in no ballot stage of this workflow, "
                "so it could never approve",
            )
    _check_graph(problems, draft)


def check_stage_gating(problems: Problems, draft: Draft) -> None:
    """No person may take a ballot stage's way forward unless the file says what it takes.

    Every action leaving a ballot stage forward (see ``gating``) that a role other than
    ``system`` may fire must carry the ``ballot_passed`` guard or declare an ``override``; an
    override's roles must be roles of the action. Run on a draft whose references resolve.
    """
    for name, action in draft.actions.items():
        if action.override is not None:
            for index, role in enumerate(action.override.roles):
                if role not in action.roles:
                    problems.add(
                        join("actions", name, "override", "roles", index),
                        f"role {str(role)!r} is not among the action's roles",
                    )
    forward = forward_by_stage(
        {
            name: state.ballot.outcomes
            for name, state in draft.states.items()
            if state.ballot is not None
        },
        {name: (action.sources, action.dest) for name, action in draft.actions.items()},
        draft.initial,
    )
    for stage, ahead in forward.items():
        for name, action in draft.actions.items():
            if stage not in action.sources or action.dest not in ahead:
                continue
            people = [str(role) for role in action.roles if role != _SYSTEM_ROLE]
            if people and BALLOT_PASSED not in action.guards and action.override is None:
                problems.add(
                    join("actions", name),
                    f"leaves ballot stage {stage!r} forward (to {action.dest!r}) and "
                    f"{', '.join(people)} may fire it: add the guard {BALLOT_PASSED!r} (the "
                    "stage's ballot must have passed on the current revision) or declare "
                    "'override: {roles: [...], reason: required}'",
                )


def _check_system_action(
    problems: Problems, path: str, draft: Draft, state: str, action_name: str
) -> None:
    """Ballot outcomes and timers are fired by the engine; the action must let it do so."""
    action = draft.actions.get(action_name)
    if action is None:
        problems.add(path, _unknown("action", action_name, draft.actions))
        return
    if state not in action.sources:
        problems.add(
            path,
            f"action {action_name!r} does not leave state {state!r} "
            f"(its source is {', '.join(action.sources) or 'empty'})",
        )
    elif action.dest == state:
        problems.add(
            path, f"action {action_name!r} does not leave state {state!r} (dest is {state!r})"
        )
    if action.roles and _SYSTEM_ROLE not in action.roles:
        problems.add(
            path,
            f"action {action_name!r} does not allow role 'system' "
            f"(roles: {', '.join(str(role) for role in action.roles)})",
        )


def _check_graph(problems: Problems, draft: Draft) -> None:
    states = draft.states
    if not states:
        return
    leaving: dict[str, list[str]] = {name: [] for name in states}
    edges: dict[str, set[str]] = {name: set() for name in states}
    for name, action in draft.actions.items():
        for source in action.sources:
            if source in states and action.dest != source:
                leaving[source].append(name)
                if action.dest in states:
                    edges[source].add(action.dest)
    for name, state in states.items():
        if state.terminal and leaving[name]:
            problems.add(
                join("states", name),
                f"terminal state has a way out: action(s) {', '.join(leaving[name])} leave it "
                f"(a terminal state is final; drop 'terminal: true' or those sources)",
            )
        elif not state.terminal and not leaving[name]:
            problems.add(
                join("states", name),
                "non-terminal state has no way out (add an action leaving it, "
                "or mark it 'terminal: true')",
            )
    if not any(state.terminal for state in states.values()):
        problems.add("states", "no terminal state (mark the final states 'terminal: true')")
    if not any(state.approved for state in states.values()):
        problems.add(
            "states",
            "no approved state (mark the state a proposal reaches when approved 'approved: true')",
        )
    if draft.initial not in states:
        return
    reachable = _reachable(draft.initial, edges)
    for name in states:
        if name not in reachable:
            problems.add(
                join("states", name), f"not reachable from the initial state {draft.initial!r}"
            )
    approved = [name for name, state in states.items() if state.approved]
    if approved and not any(name in reachable for name in approved):
        problems.add(
            "states",
            f"no approved state ({', '.join(approved)}) is reachable from the initial state "
            f"{draft.initial!r}",
        )


def _reachable(initial: str, edges: dict[str, set[str]]) -> set[str]:
    seen = {initial}
    queue = deque([initial])
    while queue:
        for dest in sorted(edges[queue.popleft()]):
            if dest not in seen:
                seen.add(dest)
                queue.append(dest)
    return seen


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.7)
    if close:
        return f"unknown {what} {name!r} (did you mean {close[0]!r}?)"
    return f"unknown {what} {name!r} (known: {', '.join(names) or 'none'})"
