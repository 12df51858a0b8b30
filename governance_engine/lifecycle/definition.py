"""Typed, immutable lifecycle definitions: what a validated ``workflows/*.yaml`` file means.

The workflow language (one file per workflow; the file is named after the workflow)::

    name: standard                  # equals the file stem; lower-case, digits, '_' and '-'
    version: 1                      # an integer >= 1; bump it for every change that matters
    kind: standard                  # the proposal kind served: any [a-z][a-z0-9_-]* (32 chars)
    title: Standard publication
    description: ...                # optional, everywhere a description appears
    initial: draft                  # the state a filed proposal starts in
    approval_requires: [sponsor, toc, board]
        # bodies (``sponsor`` or a body slug) whose ballots must all have passed on the current
        # revision digest before a proposal may enter an ``approved`` state; enforced by the
        # engine on every such action
    objection_window: 21 days       # optional: how long after a decision any member may lodge a
                                    # formal objection to it (same spelling as a timer's
                                    # ``after``); without it, the workflow allows no objections
    public: false                   # optional: keep this workflow's proposals, ballots and
                                    # decisions off the public register (default: true)
    sponsor_kinds: [working_group]  # optional: kinds of body that may sponsor a proposal
                                    # (default: [working_group])
    states:
      toc_review:                   # names: lower-case letters, digits and '_'
        title: TOC review           # optional, for states and actions: the words pages show
                                    # (default: the name in words, "toc_review" -> "TOC review")
        terminal: false             # a final state: no action may leave it
        approved: false             # the proposal is approved here (published, incubating...)
        ballot:                     # this state is a vote of one body
          body: toc                 # sponsor (the proposal's sponsoring body) or a body slug
          rule: two-thirds-of-body  # a voting preset, or a rule mapping ({preset: iab, min_yes: 5})
          outcomes: {passed: toc_sign_off, failed: toc_return, no_quorum: toc_return}
        timer: {after: 14 days, action: expire}   # also "2 weeks", "10 business days"
    actions:                        # an action is a ``transitions`` trigger
      submit:
        source: draft               # a state or a list of states
        dest: wg_review
        roles: [sponsor.chair]      # author, system, or <sponsor|body slug>.<chair|co_chair|
                                    #   secretary|member>; member = any voting seat of that body
        guards: [has_revision]      # names from ``guards.GUARDS``, never import paths
        override: {roles: [toc.chair], reason: required}
                                    # optional: who may take this action out of a ballot stage
                                    # *forward* without a passed ballot there (see ``gating``)

Body references are ``sponsor`` or a body's slug (``toc``, ``wg-trust-validation``, ``iesg``);
whether the body exists is checked against the directory when the workflow is used, not here.

Ballot outcomes and timers are fired by the engine as ``system``: the action each names must
leave that state and allow ``system``. Every state must be reachable from ``initial``, every
non-terminal state must have a way out, at least one state must be terminal, and an approved
state must be reachable.

``to_dict`` gives the canonical plain form of a definition (valid in this language, every
default spelled out) that is stored with each proposal when it is filed; ``from_dict`` reads it
back through the same validation as a file, so a stored snapshot is never trusted blindly.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from governance_engine.lifecycle.labels import humanize

if TYPE_CHECKING:
    from governance_engine.voting import Rule

KINDS: Final = ("project", "standard", "guideline")
"""The proposal kinds of the bundled workflows; a workflow may serve any ``KIND``."""

KIND: Final = re.compile(r"[a-z][a-z0-9_-]*\Z")
BODY_KIND: Final = re.compile(r"[a-z][a-z0-9_]*\Z")
DEFAULT_SPONSOR_KINDS: Final = ("working_group",)
MAX_KIND: Final = 32
"""A proposal kind: lower-case letters, digits, '_' and '-', starting with a letter."""

SPONSOR: Final = "sponsor"
"""The body reference meaning the proposal's sponsoring body; every other reference is a slug."""

BODY_REF: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
"""What a body reference looks like: ``sponsor`` or a body slug (as the directory spells them)."""


def is_body_ref(text: str) -> bool:
    return bool(BODY_REF.match(text)) and len(text) <= 64


SEAT_ROLES: Final = ("chair", "co_chair", "secretary", "member")
"""Seat roles an action may require; ``member`` means any voting seat of the body."""

PLAIN_ROLES: Final = ("author", "system")
"""Roles that belong to no body: the proposal's authors, and the engine itself."""

SYSTEM: Final = "system"

OUTCOMES: Final = ("passed", "failed", "no_quorum")
"""Ballot outcomes; a ballot stage names the action each of them fires."""


@dataclass(frozen=True)
class RoleRef:
    """Who may fire an action: ``author``, ``system`` or ``<body>.<seat role>``."""

    body: str | None
    role: str

    @classmethod
    def parse(cls, text: str) -> RoleRef:
        """Read ``"sponsor.chair"``, ``"author"`` or ``"system"``; ValueError when unknown."""
        if text in PLAIN_ROLES:
            return cls(None, text)
        body, dot, role = text.partition(".")
        if dot and is_body_ref(body) and role in SEAT_ROLES:
            return cls(body, role)
        raise ValueError(
            f"unknown role {text!r} (known: {', '.join(PLAIN_ROLES)}, or <body>.<seat> with "
            f"body 'sponsor' or a body slug and seat in {', '.join(SEAT_ROLES)})"
        )

    def __str__(self) -> str:
        return self.role if self.body is None else f"{self.body}.{self.role}"


@dataclass(frozen=True)
class BallotStage:
    """A state in which ``body`` votes under ``rule``; each outcome fires the named action."""

    body: str
    rule: Rule
    rule_config: str | Mapping[str, Any]
    outcomes: Mapping[str, str]


def spell_duration(days: int, business_days: bool) -> str:
    """A duration as the YAML spells it: ``"14 days"``, ``"1 day"``, ``"10 business days"``."""
    unit = "business day" if business_days else "day"
    return f"{days} {unit}{'' if days == 1 else 's'}"


@dataclass(frozen=True)
class Timer:
    """Fire ``action`` (as ``system``) once a proposal has stayed this long in the state."""

    days: int
    business_days: bool
    action: str

    @property
    def after(self) -> str:
        """The duration as the YAML spells it: ``"14 days"``, ``"10 business days"``."""
        return spell_duration(self.days, self.business_days)


@dataclass(frozen=True)
class Window:
    """How long after a decision a formal objection to it may be lodged."""

    days: int
    business_days: bool

    @property
    def after(self) -> str:
        return spell_duration(self.days, self.business_days)

    def closes(self, start: datetime) -> datetime:
        """The first moment after the window that opens at ``start``.

        Business days skip Saturdays and Sundays (of the calendar ``start`` is given in).
        """
        if not self.business_days:
            return start + timedelta(days=self.days)
        moment, left = start, self.days
        while left:
            moment += timedelta(days=1)
            if moment.weekday() < 5:
                left -= 1
        return moment


@dataclass(frozen=True)
class StateDefinition:
    name: str
    description: str
    terminal: bool
    approved: bool
    ballot: BallotStage | None
    timer: Timer | None
    title: str | None = None
    """The words pages show for this state; None: the name in words (``label``)."""

    @property
    def label(self) -> str:
        return self.title or humanize(self.name)


@dataclass(frozen=True)
class Override:
    """Who may take an action forward out of a ballot stage whose ballot has not passed.

    Always with a reason on the record (``reason: required``, the only setting); the act is
    logged as an override.
    """

    roles: tuple[RoleRef, ...]
    reason: str = "required"


@dataclass(frozen=True)
class ActionDefinition:
    name: str
    sources: tuple[str, ...]
    dest: str
    roles: tuple[RoleRef, ...]
    guards: tuple[str, ...]
    description: str
    override: Override | None = None
    title: str | None = None
    """The words pages show for this action; None: the name in words (``label``)."""

    @property
    def label(self) -> str:
        return self.title or humanize(self.name)

    def allows(self, role: RoleRef | str) -> bool:
        """Whether ``role`` is one of the roles named for this action."""
        ref = RoleRef.parse(role) if isinstance(role, str) else role
        return ref in self.roles


@dataclass(frozen=True)
class WorkflowDefinition:
    """One version of one lifecycle, validated: every reference in it resolves."""

    name: str
    version: int
    kind: str
    title: str
    description: str
    initial: str
    approval_requires: tuple[str, ...]
    states: Mapping[str, StateDefinition]
    actions: Mapping[str, ActionDefinition]
    objection_window: Window | None = None
    """None: formal objections to this workflow's decisions are not allowed."""
    public: bool = True
    """False: nothing of this workflow's proposals is shown on the public register."""
    sponsor_kinds: tuple[str, ...] = DEFAULT_SPONSOR_KINDS
    """The kinds of body that may sponsor a proposal under this workflow."""

    def __hash__(self) -> int:  # the mappings are not hashable; the content digest is
        return hash(self._digest)

    @property
    def label(self) -> str:
        """``"standard v1"``: how messages name this workflow version."""
        return f"{self.name} v{self.version}"

    def ballot_stages(self) -> list[StateDefinition]:
        return [state for state in self.states.values() if state.ballot is not None]

    def to_dict(self) -> dict[str, Any]:
        """The canonical plain form: valid workflow YAML/JSON, every default spelled out.

        Except ``objection_window``, left out when there is none, ``public``, left out
        when true, and ``sponsor_kinds``, left out when it is the default, so that adding these
        keys to the language changed no digest of a workflow that does not use them.
        """
        data: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "initial": self.initial,
            "approval_requires": list(self.approval_requires),
            "states": {name: _state_to_dict(state) for name, state in self.states.items()},
            "actions": {name: _action_to_dict(action) for name, action in self.actions.items()},
        }
        if self.objection_window is not None:
            data["objection_window"] = self.objection_window.after
        if not self.public:
            data["public"] = False
        if self.sponsor_kinds != DEFAULT_SPONSOR_KINDS:
            data["sponsor_kinds"] = list(self.sponsor_kinds)
        return data

    @classmethod
    def from_dict(cls, data: Any, source: str = "<stored>") -> WorkflowDefinition:
        """Read a ``to_dict`` snapshot back, validating it exactly as a file is validated."""
        from governance_engine.lifecycle._parse import parse_definition

        # The stage-gating lint is for files; a stored snapshot predating it still runs, and
        # the engine enforces gating on it all the same.
        return parse_definition(data, source, stem=None, gating=False)

    def digest(self) -> str:
        """SHA-256 (hex) of the canonical JSON of ``to_dict()``; equal definitions, equal digest."""
        return self._digest

    @cached_property
    def _digest(self) -> str:  # the definition is immutable, so compute once
        return hashlib.sha256(canonical_json(self.to_dict())).hexdigest()


def canonical_json(data: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: one byte string per value."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def freeze(value: Any) -> Any:
    """A deeply read-only copy of plain YAML data: mappings become proxies, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of ``freeze``: plain dicts and lists, ready for JSON."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [thaw(item) for item in value]
    return value


def _state_to_dict(state: StateDefinition) -> dict[str, Any]:
    """Without ``title`` when there is none: adding the key changed no digest."""
    data: dict[str, Any] = {
        "description": state.description,
        "terminal": state.terminal,
        "approved": state.approved,
    }
    if state.ballot is not None:
        data["ballot"] = {
            "body": state.ballot.body,
            "rule": thaw(state.ballot.rule_config),
            "outcomes": dict(state.ballot.outcomes),
        }
    if state.timer is not None:
        data["timer"] = {"after": state.timer.after, "action": state.timer.action}
    if state.title is not None:
        data["title"] = state.title
    return data


def _action_to_dict(action: ActionDefinition) -> dict[str, Any]:
    """Without ``override`` or ``title`` when there is none: adding them changed no digest."""
    data: dict[str, Any] = {
        "source": list(action.sources),
        "dest": action.dest,
        "roles": [str(role) for role in action.roles],
        "guards": list(action.guards),
        "description": action.description,
    }
    if action.override is not None:
        data["override"] = {
            "roles": [str(role) for role in action.override.roles],
            "reason": action.override.reason,
        }
    if action.title is not None:
        data["title"] = action.title
    return data
