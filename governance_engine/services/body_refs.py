"""What a workflow's body references mean in this directory.

A workflow names bodies by reference: ``sponsor`` (the proposal's sponsoring body) or a body's
slug. A reference that matches no slug but names a kind of which the directory has exactly one
body resolves to that body: workflows written when the TOC and the Board were found by kind
keep working whatever their slugs are. A reference that resolves to nothing is refused, with
``BodyMissing`` (409), when the workflow needs it: filing, opening a ballot, taking an action.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session

from governance_engine.errors import BodyMissing
from governance_engine.lifecycle import SPONSOR, WorkflowDefinition
from governance_engine.lifecycle.definition import is_body_ref
from governance_engine.persistence.models import Body, Proposal
from governance_engine.persistence.repositories import directory


@dataclass(frozen=True)
class BodyRefs:
    """The directory's bodies, read once, and the proposal's sponsoring body (if any)."""

    bodies: Sequence[Body]
    sponsor_id: int | None = None

    @classmethod
    def load(cls, session: Session, proposal: Proposal | None = None) -> BodyRefs:
        sponsor = proposal.sponsor_body_id if proposal is not None else None
        return cls(tuple(directory.all_bodies(session)), sponsor)

    def resolve(self, ref: str) -> Body | None:
        """The body ``ref`` names: the sponsor, the body with that slug, or the only one of
        that kind; None when there is none."""
        if ref == SPONSOR:
            return next((b for b in self.bodies if b.id == self.sponsor_id), None)
        by_slug = next((b for b in self.bodies if b.slug == ref), None)
        if by_slug is not None:
            return by_slug
        of_kind = [b for b in self.bodies if b.kind == ref]
        return of_kind[0] if len(of_kind) == 1 else None

    def require(self, ref: str, workflow: WorkflowDefinition, where: str) -> Body:
        """The body ``ref`` names; BodyMissing naming the reference and where it is used."""
        body = self.resolve(ref)
        if body is None:
            raise BodyMissing(
                f"workflow {workflow.label} names body {ref!r} ({where}), but there is no body "
                f"with slug {ref!r}: an admin creates it, or the workflow is changed",
                body=ref,
            )
        return body

    def refs_of(self, body: Body) -> set[str]:
        """Every reference that names ``body``: ``sponsor``, its slug, or its kind."""
        refs = {body.slug}
        if body.id == self.sponsor_id:
            refs.add(SPONSOR)
        if body.kind in self._kind_refs:
            refs.add(body.kind)
        return refs

    @cached_property
    def _kind_refs(self) -> frozenset[str]:
        """Kinds that name their one body: no slug is spelled so, and a workflow could write
        them (``toc``, not ``working_group``: roles are built from these and parsed back)."""
        kinds = Counter(b.kind for b in self.bodies)
        slugs = {b.slug for b in self.bodies}
        return frozenset(
            kind
            for kind, count in kinds.items()
            if count == 1 and kind not in slugs and is_body_ref(kind)
        )


def references(definition: WorkflowDefinition) -> list[tuple[str, str]]:
    """(body reference, where it is used) for every body the workflow names, ``sponsor`` aside."""
    found: list[tuple[str, str]] = []

    def add(ref: str | None, where: str) -> None:
        if ref is not None and ref != SPONSOR:
            found.append((ref, where))

    for index, ref in enumerate(definition.approval_requires):
        add(ref, f"approval_requires[{index}]")
    for name, state in definition.states.items():
        if state.ballot is not None:
            add(state.ballot.body, f"states.{name}.ballot.body")
    for name, action in definition.actions.items():
        for role in action.roles:
            add(role.body, f"actions.{name}.roles: {role}")
        for role in action.override.roles if action.override is not None else ():
            add(role.body, f"actions.{name}.override.roles: {role}")
    return found


def missing(session: Session, definition: WorkflowDefinition) -> list[tuple[str, str]]:
    """The workflow's body references that resolve to no body in this directory."""
    refs = BodyRefs.load(session)
    return [(ref, where) for ref, where in references(definition) if refs.resolve(ref) is None]
