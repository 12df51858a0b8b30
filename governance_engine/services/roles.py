"""What a person is, relative to one proposal: the role names workflows grant actions to.

Roles are ``author``, ``system`` and ``<body>.<seat role>``, where body is ``sponsor`` (the
proposal's working group), ``toc`` or ``board``, and seat role is chair, co_chair, secretary
or member (any voting seat). They come from seats active at the moment of the action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.lifecycle import RoleRef
from governance_engine.persistence.models import Body, BodyKind, Proposal, SeatRole
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import proposals as proposal_queries
from governance_engine.services.identity import Actor

_SEAT_ROLES_NAMED = (SeatRole.CHAIR, SeatRole.CO_CHAIR, SeatRole.SECRETARY)


def body_ref(body: Body, proposal: Proposal) -> str | None:
    if body.id == proposal.sponsor_body_id:
        return "sponsor"
    if body.kind == BodyKind.TOC:
        return "toc"
    if body.kind == BodyKind.BOARD:
        return "board"
    return None


def roles_for(
    session: Session, *, actor: Actor, proposal: Proposal, at: datetime
) -> frozenset[str]:
    if actor.person_id is None:
        return frozenset({"system"})
    roles: set[str] = set()
    if actor.person_id in proposal_queries.author_ids(session, proposal.id):
        roles.add("author")
    for seat, body in directory.active_seats_with_bodies(session, person_id=actor.person_id, at=at):
        ref = body_ref(body, proposal)
        if ref is None:
            continue
        if seat.role in _SEAT_ROLES_NAMED:
            roles.add(f"{ref}.{seat.role}")
        if seat.voting:
            roles.add(f"{ref}.member")
    return frozenset(roles)


@dataclass(frozen=True)
class BodyNames:
    """Slugs to put in messages, so a refusal names the real body."""

    sponsor: str
    toc: str = "toc"
    board: str = "board"

    @classmethod
    def load(cls, session: Session, proposal: Proposal) -> BodyNames:
        sponsor = session.get(Body, proposal.sponsor_body_id)
        toc = directory.body_of_kind(session, BodyKind.TOC)
        board = directory.body_of_kind(session, BodyKind.BOARD)
        return cls(
            sponsor=sponsor.slug if sponsor else "the sponsoring working group",
            toc=toc.slug if toc else "toc",
            board=board.slug if board else "board",
        )

    def describe(self, role: RoleRef) -> str:
        if role.body is None:
            return {"author": "an author", "system": "the system"}.get(role.role, role.role)
        slug = {"sponsor": self.sponsor, "toc": self.toc, "board": self.board}[role.body]
        if role.role == "member":
            return f"a voting member of {slug}"
        return f"the {role.role.replace('_', '-')} of {slug}"

    def describe_any(self, roles: Iterable[RoleRef]) -> str:
        words = [self.describe(role) for role in roles]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
