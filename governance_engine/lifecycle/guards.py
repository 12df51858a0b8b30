"""Named guards: the only conditions a workflow file can put on an action.

YAML names a guard; it never names code. Each guard is a pure predicate over ``ProposalFacts``
(built by the services from the database) with an explanation a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class ProposalFacts:
    """What guards may look at about one proposal, at the moment an action is attempted."""

    revision_count: int
    open_ballot: bool
    passed_on_current_revision: frozenset[str]
    """Body references (``sponsor``, and body slugs) whose latest ballot on the current
    revision digest passed."""
    open_concerns: int = 0
    """Concerns that block: open, or addressed by a chair but not yet resolved by the raiser."""
    open_objections: int = 0
    """Formal objections that hold the proposal: open, or upheld on the current revision."""
    open_concern_labels: tuple[str, ...] = ()
    """One line per blocking concern, naming it and its raiser, for the guard's explanation."""
    open_objection_labels: tuple[str, ...] = ()
    """One line per holding objection, naming it, its lodger and the deciding body."""
    stage_ballot_passed: bool = False
    """The latest ballot of the proposal's current stage, on the current revision digest,
    passed (or an override the workflow declares stands in for it, and is logged)."""


@dataclass(frozen=True)
class Guard:
    name: str
    check: Callable[[ProposalFacts], bool]
    explain: Callable[[ProposalFacts], str]
    """Why ``check`` is False, in words; only meaningful when it is."""


APPROVAL_GUARD: Final = "approval_ballots_passed"


def approval_guard(required: Iterable[str]) -> Guard:
    """Approval needs a passed ballot of every required body on the revision being approved.

    A ballot on an older revision does not count: the text that was voted on must be the text
    that is approved. ``WorkflowMachine`` binds this to the workflow's ``approval_requires`` and
    puts it on every action entering an ``approved`` state, whether the YAML lists it or not.
    """
    bodies = tuple(required)

    def missing(facts: ProposalFacts) -> list[str]:
        return [body for body in bodies if body not in facts.passed_on_current_revision]

    def explain(facts: ProposalFacts) -> str:
        return (
            f"approval requires passed ballots on the current revision from "
            f"{', '.join(bodies)}; missing: {', '.join(missing(facts))}"
        )

    return Guard(APPROVAL_GUARD, lambda facts: not missing(facts), explain)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _named(labels: tuple[str, ...], count: int, noun: str) -> str:
    """Name each item when the facts carry labels; otherwise count them."""
    return "; ".join(labels) if labels else f"the proposal has {_plural(count, noun)}"


_BUILTIN: Final = (
    Guard(
        "has_revision",
        lambda facts: facts.revision_count > 0,
        lambda facts: "the proposal has no revision",
    ),
    Guard(
        "no_open_ballot",
        lambda facts: not facts.open_ballot,
        lambda facts: "a ballot is open on the proposal; close or cancel it first",
    ),
    Guard(
        "no_open_concerns",
        lambda facts: facts.open_concerns == 0,
        lambda facts: _named(facts.open_concern_labels, facts.open_concerns, "open concern"),
    ),
    Guard(
        "ballot_passed",
        lambda facts: facts.stage_ballot_passed,
        lambda facts: "this stage's ballot has not passed on the current revision",
    ),
    Guard(
        "no_open_objections",
        lambda facts: facts.open_objections == 0,
        lambda facts: _named(facts.open_objection_labels, facts.open_objections, "open objection"),
    ),
    # Unbound here (it requires no body); each WorkflowMachine binds it to its workflow.
    approval_guard(()),
)

GUARDS: Final[Mapping[str, Guard]] = MappingProxyType({guard.name: guard for guard in _BUILTIN})
"""Every guard a workflow may name, by name."""


def bind_guards(approval_requires: Iterable[str]) -> Mapping[str, Guard]:
    """The guard registry as one workflow sees it: the approval guard knows its bodies."""
    bound = dict(GUARDS)
    bound[APPROVAL_GUARD] = approval_guard(approval_requires)
    return MappingProxyType(bound)
