"""Concerns: named objections to the text under review, which block until their raiser lifts them.

The rule, as in IETF DISCUSS positions and W3C review comments: a member (voting seat) of the
body reviewing the proposal now raises a concern on the current revision. The reviewing body
is the body of the current state's ballot stage, or the sponsoring working group where the
state has no ballot. A standing concern (open, or addressed) fails the ``no_open_concerns``
guard on every action a workflow marks with it, naming the concern and its raiser.

Only the raiser resolves their concern. The chair or co-chair of the body it was raised in may
mark it addressed, with a reason: that asks the raiser to resolve it and says so, but the
concern keeps blocking. A concern raised while a ballot is open does not change the ballot;
the ballot's read model lists the concerns standing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, NotFound, PermissionDenied
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Body, Concern, Proposal
from governance_engine.persistence.repositories import proposals as proposal_queries
from governance_engine.persistence.repositories import review as queries
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_writer
from governance_engine.services.review import (
    MAX_TITLE,
    machine_of,
    officer_of,
    optional_text,
    proposal_of,
    require_not_final,
    required_text,
    reviewing_body,
    seats_on,
)
from governance_engine.services.workflows import WorkflowCatalog


@dataclass(frozen=True)
class ConcernView:
    concern: Concern
    revision: int  # the number of the revision it was raised on
    body: str  # slug of the body it was raised in
    raised_by_name: str
    addressed_by_name: str | None

    @property
    def blocking(self) -> bool:
        return self.concern.state in queries.STANDING_CONCERN_STATES

    def label(self) -> str:
        """What a refused action says about it: which concern, whose, and what it waits for."""
        concern = self.concern
        said = f"concern {concern.id} {concern.title!r} raised by {self.raised_by_name}"
        if concern.state == "addressed":
            return (
                f"{said} was marked addressed by {self.addressed_by_name}; "
                f"{self.raised_by_name} has yet to resolve it"
            )
        return f"{said} is {concern.state}"


def raise_concern(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    proposal_id: int,
    title: str,
    text: str = "",
) -> Concern:
    """Raise a named concern on the current revision (a voting member of the reviewing body)."""
    require_writer(actor)
    if actor.person_id is None:
        raise PermissionDenied("concerns are raised by people")
    proposal = proposal_of(session, proposal_id, for_update=True)
    machine = machine_of(session, catalog, proposal)
    require_not_final(machine, proposal, "concerns")
    body = reviewing_body(session, machine, proposal)
    if not any(seat.voting for seat in seats_on(session, actor.person_id, body.id, at)):
        raise PermissionDenied(
            f"only a voting member of {body.slug}, which reviews proposal {proposal.id} in "
            f"state {proposal.state!r}, may raise a concern on it now"
        )
    revision = proposal_queries.current_revision(session, proposal.id)
    if revision is None:
        raise Conflict(f"proposal {proposal.id} has no revision to raise a concern on")
    concern = Concern(
        proposal_id=proposal.id,
        revision_id=revision.id,
        body_id=body.id,
        raised_by_id=actor.person_id,
        title=required_text(title, "title", limit=MAX_TITLE, what="a concern's title"),
        text=optional_text(text, "text"),
        state="open",
        addressed_reason="",
        created_at=at,
    )
    session.add(concern)
    session.flush()
    _log(
        session,
        concern,
        proposal,
        actor=actor,
        at=at,
        action="concern.raised",
        payload={
            "title": concern.title,
            "text": concern.text,
            "revision": revision.number,
            "body": body.slug,
            "state": proposal.state,
        },
    )
    return concern


def _concern(session: Session, proposal_id: int, concern_id: int) -> Concern:
    concern = queries.concern(session, concern_id, for_update=True)
    if concern is None or concern.proposal_id != proposal_id:
        raise NotFound(f"proposal {proposal_id} has no concern {concern_id}")
    return concern


def address_concern(
    session: Session, *, actor: Actor, at: datetime, proposal_id: int, concern_id: int, reason: str
) -> Concern:
    """Mark a concern addressed (chair or co-chair of its body): asks the raiser to resolve it.

    It does not lift the block: only the raiser does, by resolving it.
    """
    require_writer(actor)
    proposal = proposal_of(session, proposal_id, for_update=True)
    concern = _concern(session, proposal_id, concern_id)
    body = session.get(Body, concern.body_id)
    assert body is not None  # a foreign key guarantees it
    if not officer_of(session, actor.person_id, body, at):
        raise PermissionDenied(
            f"only the chair or co-chair of {body.slug} may mark concern {concern.id} addressed"
        )
    if concern.state != "open":
        raise Conflict(f"concern {concern.id} is already {concern.state}")
    reason = required_text(reason, "reason", what="the reason it is addressed")
    concern.state = "addressed"
    concern.addressed_by_id = actor.person_id
    concern.addressed_reason = reason
    concern.addressed_at = at
    session.flush()
    _log(
        session,
        concern,
        proposal,
        actor=actor,
        at=at,
        action="concern.addressed",
        payload={"reason": reason, "raised_by": concern.raised_by_id},
    )
    return concern


def resolve_concern(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    proposal_id: int,
    concern_id: int,
    note: str = "",
) -> Concern:
    """Lift a concern: its raiser only, whether or not a chair marked it addressed."""
    require_writer(actor)
    proposal = proposal_of(session, proposal_id, for_update=True)
    concern = _concern(session, proposal_id, concern_id)
    if actor.person_id is None or actor.person_id != concern.raised_by_id:
        raiser = queries.person_names(session, [concern.raised_by_id])[concern.raised_by_id]
        raise PermissionDenied(
            f"only {raiser}, who raised concern {concern.id}, may resolve it "
            "(the body's chair may mark it addressed)"
        )
    if concern.state == "resolved":
        raise Conflict(f"concern {concern.id} is already resolved")
    note = optional_text(note, "note", limit=2000)
    previous = concern.state
    concern.state = "resolved"
    concern.resolved_at = at
    session.flush()
    _log(
        session,
        concern,
        proposal,
        actor=actor,
        at=at,
        action="concern.resolved",
        payload={"note": note, "previous": previous},
    )
    return concern


def _log(
    session: Session,
    concern: Concern,
    proposal: Proposal,
    *,
    actor: Actor,
    at: datetime,
    action: str,
    payload: dict[str, object],
) -> None:
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action=action,
        subject_type="concern",
        subject_id=concern.id,
        proposal_id=proposal.id,
        body_id=concern.body_id,
        payload=payload,
    )


def _views(session: Session, rows: list[Concern]) -> list[ConcernView]:
    numbers = queries.revision_numbers(session, [concern.revision_id for concern in rows])
    slugs = queries.body_slugs(session, [concern.body_id for concern in rows])
    names = queries.person_names(
        session, [c.raised_by_id for c in rows] + [c.addressed_by_id for c in rows]
    )
    return [
        ConcernView(
            concern=concern,
            revision=numbers[concern.revision_id],
            body=slugs[concern.body_id],
            raised_by_name=names[concern.raised_by_id],
            addressed_by_name=(
                names[concern.addressed_by_id] if concern.addressed_by_id is not None else None
            ),
        )
        for concern in rows
    ]


def list_concerns(
    session: Session, *, proposal_id: int, after: int, limit: int, state: str | None = None
) -> list[ConcernView]:
    proposal_of(session, proposal_id)
    rows = queries.concerns_page(
        session, proposal_id=proposal_id, after=after, limit=limit, state=state
    )
    return _views(session, rows)


def get_concern(session: Session, *, proposal_id: int, concern_id: int) -> ConcernView:
    proposal_of(session, proposal_id)
    concern = queries.concern(session, concern_id)
    if concern is None or concern.proposal_id != proposal_id:
        raise NotFound(f"proposal {proposal_id} has no concern {concern_id}")
    return _views(session, [concern])[0]


def standing(session: Session, proposal_id: int) -> list[ConcernView]:
    """The proposal's concerns that block now (open or addressed), oldest first."""
    return _views(session, queries.standing_concerns(session, proposal_id))


def blocking_labels(session: Session, proposal_id: int) -> tuple[str, ...]:
    """For the ``no_open_concerns`` guard: one line per standing concern."""
    return tuple(view.label() for view in standing(session, proposal_id))
