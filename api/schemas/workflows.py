"""Workflow definitions as people read them: states, actions, rules in words, a diagram."""

from __future__ import annotations

from pydantic import BaseModel, Field

from governance_engine.lifecycle import (
    ActionDefinition,
    StateDefinition,
    WorkflowDefinition,
    to_mermaid,
)
from governance_engine.lifecycle.guards import APPROVAL_GUARD


class WorkflowSummary(BaseModel):
    name: str = Field(examples=["standard"])
    version: int
    kind: str = Field(description="The proposal kind it serves", examples=["standard"])
    title: str
    states: int = Field(description="How many states it has")
    link: str

    @classmethod
    def of(cls, definition: WorkflowDefinition) -> WorkflowSummary:
        return cls(
            name=definition.name,
            version=definition.version,
            kind=definition.kind,
            title=definition.title,
            states=len(definition.states),
            link=f"/api/v1/workflows/{definition.name}?version={definition.version}",
        )


class RuleRead(BaseModel):
    name: str = Field(examples=["two-thirds-of-body"])
    description: str = Field(description="The rule in plain English")


class BallotStageRead(BaseModel):
    body: str = Field(description="sponsor (the working group), toc or board")
    rule: RuleRead
    outcomes: dict[str, str] = Field(description="Ballot outcome -> the action it fires")


class TimerRead(BaseModel):
    after: str = Field(examples=["14 days", "10 business days"])
    action: str = Field(description="Fired by the system once the time has passed")


class StateRead(BaseModel):
    name: str
    description: str
    initial: bool
    terminal: bool
    approved: bool
    ballot: BallotStageRead | None
    timer: TimerRead | None

    @classmethod
    def of(cls, state: StateDefinition, *, initial: bool) -> StateRead:
        ballot = state.ballot
        timer = state.timer
        return cls(
            name=state.name,
            description=state.description,
            initial=initial,
            terminal=state.terminal,
            approved=state.approved,
            ballot=(
                BallotStageRead(
                    body=ballot.body,
                    rule=RuleRead(name=ballot.rule.name, description=ballot.rule.describe()),
                    outcomes=dict(ballot.outcomes),
                )
                if ballot
                else None
            ),
            timer=TimerRead(after=timer.after, action=timer.action) if timer else None,
        )


class WorkflowActionRead(BaseModel):
    name: str
    description: str
    sources: list[str]
    dest: str
    roles: list[str] = Field(examples=[["sponsor.chair", "author"]])
    guards: list[str] = Field(
        description="Conditions that must hold; an action entering an approved state always "
        f"carries {APPROVAL_GUARD}"
    )

    @classmethod
    def of(cls, action: ActionDefinition, definition: WorkflowDefinition) -> WorkflowActionRead:
        guards = list(action.guards)
        # WorkflowMachine adds the approval guard to every action entering an approved state.
        if definition.states[action.dest].approved and APPROVAL_GUARD not in guards:
            guards.append(APPROVAL_GUARD)
        return cls(
            name=action.name,
            description=action.description,
            sources=list(action.sources),
            dest=action.dest,
            roles=[str(role) for role in action.roles],
            guards=guards,
        )


class WorkflowRead(BaseModel):
    name: str
    version: int
    kind: str
    title: str
    description: str
    initial: str
    approval_requires: list[str] = Field(
        description="Bodies whose ballots on the current revision must have passed for approval"
    )
    digest: str = Field(description="SHA-256 of the canonical definition")
    states: list[StateRead]
    actions: list[WorkflowActionRead]
    mermaid: str = Field(description="A Mermaid stateDiagram-v2 of the lifecycle")

    @classmethod
    def of(cls, definition: WorkflowDefinition) -> WorkflowRead:
        return cls(
            name=definition.name,
            version=definition.version,
            kind=definition.kind,
            title=definition.title,
            description=definition.description,
            initial=definition.initial,
            approval_requires=list(definition.approval_requires),
            digest=definition.digest(),
            states=[
                StateRead.of(state, initial=name == definition.initial)
                for name, state in definition.states.items()
            ],
            actions=[
                WorkflowActionRead.of(action, definition) for action in definition.actions.values()
            ],
            mermaid=to_mermaid(definition),
        )
