"""What a person is, relative to one proposal: the role names workflows grant actions to.

Roles are ``author``, ``system`` and ``<body>.<seat role>``, where body is ``sponsor`` (the
proposal's sponsoring body) or any reference naming a body the person is seated on (its slug,
see ``body_refs``), and seat role is chair, co_chair, secretary or member (any voting seat).
They come from seats active at the moment of the action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.lifecycle import SPONSOR, RoleRef
from governance_engine.persistence.models import Body, Proposal, SeatRole
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import proposals as proposal_queries
from governance_engine.services.body_refs import BodyRefs
from governance_engine.services.identity import Actor

_SEAT_ROLES_NAMED = (SeatRole.CHAIR, SeatRole.CO_CHAIR, SeatRole.SECRETARY)


def roles_for(
    session: Session,
    *,
    actor: Actor,
    proposal: Proposal,
    at: datetime,
    refs: BodyRefs | None = None,
) -> frozenset[str]:
    """``refs``: the directory's bodies as the caller already read them (else read here)."""
    if actor.person_id is None:
        return frozenset({"system"})
    roles: set[str] = set()
    if actor.person_id in proposal_queries.author_ids(session, proposal.id):
        roles.add("author")
    seats = directory.active_seats_with_bodies(session, person_id=actor.person_id, at=at)
    if not seats:
        return frozenset(roles)
    refs = refs or BodyRefs.load(session, proposal)
    for seat, body in seats:
        for ref in refs.refs_of(body):
            if seat.role in _SEAT_ROLES_NAMED:
                roles.add(f"{ref}.{seat.role}")
            if seat.voting:
                roles.add(f"{ref}.member")
    return frozenset(roles)


@dataclass(frozen=True)
class BodyNames:
    """Slugs to put in messages, so a refusal names the real body."""

    refs: BodyRefs

    @classmethod
    def load(cls, session: Session, proposal: Proposal) -> BodyNames:
        return cls(BodyRefs.load(session, proposal))

    @property
    def sponsor(self) -> str:
        body = self.refs.resolve(SPONSOR)
        return body.slug if body else "the sponsoring body"

    def slug(self, ref: str) -> str:
        body: Body | None = self.refs.resolve(ref)
        return body.slug if body is not None else ref

    def describe(self, role: RoleRef) -> str:
        if role.body is None:
            return {"author": "an author", "system": "the system"}.get(role.role, role.role)
        slug = self.slug(role.body)
        if role.role == "member":
            return f"a voting member of {slug}"
        return f"the {role.role.replace('_', '-')} of {slug}"

    def describe_any(self, roles: Iterable[RoleRef]) -> str:
        words = [self.describe(role) for role in roles]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
