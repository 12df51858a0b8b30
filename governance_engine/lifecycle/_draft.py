"""What could be read of a workflow file, and the typed definition built from it.

Parsing fills a draft field by field, leaving a field empty where the file was wrong, so that
later checks can still run on the rest. Only a draft with no problem is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from governance_engine.lifecycle.definition import (
    DEFAULT_SPONSOR_KINDS,
    ActionDefinition,
    BallotStage,
    Override,
    RoleRef,
    StateDefinition,
    Timer,
    Window,
    WorkflowDefinition,
)
from governance_engine.voting import Rule


@dataclass
class BallotDraft:
    body: str | None = None
    rule: Rule | None = None
    rule_config: Any = None
    outcomes: dict[str, str] = field(default_factory=dict)


@dataclass
class TimerDraft:
    days: int | None = None
    business_days: bool = False
    action: str | None = None


@dataclass
class StateDraft:
    description: str = ""
    terminal: bool = False
    approved: bool = False
    ballot: BallotDraft | None = None
    timer: TimerDraft | None = None
    title: str | None = None


@dataclass
class ActionDraft:
    sources: list[str] = field(default_factory=list)
    dest: str | None = None
    roles: list[RoleRef] = field(default_factory=list)
    guards: list[str] = field(default_factory=list)
    description: str = ""
    override: Override | None = None
    title: str | None = None


@dataclass
class Draft:
    """What could be read of a workflow; complete only when no problem was found."""

    name: str | None = None
    version: int | None = None
    kind: str | None = None
    title: str | None = None
    description: str = ""
    initial: str | None = None
    approval_requires: list[str] = field(default_factory=list)
    states: dict[str, StateDraft] = field(default_factory=dict)
    actions: dict[str, ActionDraft] = field(default_factory=dict)
    objection_window: Window | None = None
    public: bool = True
    sponsor_kinds: tuple[str, ...] = DEFAULT_SPONSOR_KINDS


def build(draft: Draft) -> WorkflowDefinition:
    """Typed objects from a draft that produced no problem (so every field is set)."""
    assert draft.name is not None
    assert draft.version is not None
    assert draft.kind is not None
    assert draft.title is not None
    assert draft.initial is not None
    states = {name: _build_state(name, state) for name, state in draft.states.items()}
    actions = {
        name: ActionDefinition(
            name=name,
            sources=tuple(action.sources),
            dest=action.dest or "",
            roles=tuple(action.roles),
            guards=tuple(action.guards),
            description=action.description,
            override=action.override,
            title=action.title,
        )
        for name, action in draft.actions.items()
    }
    return WorkflowDefinition(
        name=draft.name,
        version=draft.version,
        kind=draft.kind,
        title=draft.title,
        description=draft.description,
        initial=draft.initial,
        approval_requires=tuple(draft.approval_requires),
        states=MappingProxyType(states),
        actions=MappingProxyType(actions),
        objection_window=draft.objection_window,
        public=draft.public,
        sponsor_kinds=draft.sponsor_kinds,
    )


def _build_state(name: str, state: StateDraft) -> StateDefinition:
    ballot = None
    if state.ballot is not None:
        assert state.ballot.body is not None
        assert state.ballot.rule is not None
        ballot = BallotStage(
            body=state.ballot.body,
            rule=state.ballot.rule,
            rule_config=state.ballot.rule_config,
            outcomes=MappingProxyType(dict(state.ballot.outcomes)),
        )
    timer = None
    if state.timer is not None:
        assert state.timer.days is not None
        assert state.timer.action is not None
        timer = Timer(state.timer.days, state.timer.business_days, state.timer.action)
    return StateDefinition(
        name=name,
        description=state.description,
        terminal=state.terminal,
        approved=state.approved,
        ballot=ballot,
        timer=timer,
        title=state.title,
    )
