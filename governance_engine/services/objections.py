"""Formal objections: any member may object to a decision, and the body above decides.

The rule, after W3C Formal Objections and IETF appeals: anyone holding an active seat on any
body may lodge a formal objection to one of a proposal's decisions, with grounds, within the
``objection_window`` its workflow states (none stated: no objections). It goes to the body
above the one that decided (a working group's to the TOC, the TOC's to the Board, the Board's
to the Board itself), whose chair or co-chair resolves it: upheld or dismissed, with reasons,
recorded as a decision of kind ``objection``. That resolution is final: no objection to it.

While open, an objection holds the proposal at its ratification step (``no_open_objections``).
An upheld objection keeps holding it until a new revision replaces the text the objected
decision was about; the engine never undoes a transition, so the deciding body's chair returns
the proposal (or, for a final state, the alliance files anew) as the decision says. The lodger
may withdraw an open objection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Body, BodyKind, Decision, Objection, Proposal
from governance_engine.persistence.repositories import decisions as decision_queries
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import review as queries
from governance_engine.services.decisions import record_decision
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_writer
from governance_engine.services.review import (
    machine_of,
    officer_of,
    optional_text,
    proposal_of,
    required_text,
)
from governance_engine.services.workflows import WorkflowCatalog

OUTCOMES: Final = ("upheld", "dismissed")
_ABOVE: Final = {
    BodyKind.WORKING_GROUP.value: BodyKind.TOC,
    BodyKind.TOC.value: BodyKind.BOARD,
    BodyKind.BOARD.value: BodyKind.BOARD,
}


@dataclass(frozen=True)
class ObjectionView:
    objection: Objection
    decision: str  # the number of the decision objected to
    deciding_body: str  # slug
    lodged_by_name: str
    resolution_decision: str | None  # the number of the decision that resolved it

    def label(self) -> str:
        """What a held action says about it."""
        objection = self.objection
        said = f"objection {objection.id} by {self.lodged_by_name} to decision {self.decision}"
        if objection.state == "upheld":
            return (
                f"{said} was upheld by {self.deciding_body} ({self.resolution_decision}): "
                "the text it was about needs a new revision"
            )
        return f"{said} is open before {self.deciding_body}"


def deciding_body(session: Session, decided_by: Body) -> Body:
    """Where a formal objection to a body's decision goes: its ``parent`` body when it has
    one; otherwise, as before bodies had parents, WG -> TOC -> Board, and the Board decides
    its own."""
    if decided_by.parent_id is not None:
        parent = session.get(Body, decided_by.parent_id)
        assert parent is not None  # a foreign key guarantees it
        return parent
    above = _ABOVE.get(decided_by.kind)
    body = directory.body_of_kind(session, above) if above is not None else None
    if body is None:
        raise Conflict(
            f"{decided_by.slug} has no parent body to decide a formal objection to its "
            "decisions: an admin sets one (PATCH /api/v1/bodies/{slug} with a parent)",
            body=decided_by.slug,
        )
    return body


def lodge_objection(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    proposal_id: int,
    decision: str,
    grounds: str,
) -> Objection:
    """Object to one of the proposal's decisions, within its workflow's window (any member)."""
    require_writer(actor)
    if actor.person_id is None:
        raise PermissionDenied("formal objections are lodged by people")
    proposal = proposal_of(session, proposal_id, for_update=True)
    if not directory.active_seats(session, at=at, person_id=actor.person_id):
        raise PermissionDenied("only a member of the alliance's bodies may lodge an objection")
    objected = _decision(session, proposal, decision)
    window = machine_of(session, catalog, proposal).definition.objection_window
    if window is None:
        raise Conflict(
            f"the {proposal.workflow_name} v{proposal.workflow_version} workflow of proposal "
            f"{proposal.id} allows no formal objections"
        )
    closes = window.closes(objected.decided_at)
    if at >= closes:
        raise Conflict(
            f"the window for objections to {objected.number} closed at "
            f"{closes:%Y-%m-%d %H:%M} UTC, {window.after} after the decision"
        )
    if queries.open_objection_of(session, decision_id=objected.id, person_id=actor.person_id):
        raise Conflict(f"you already have an open objection to {objected.number}")
    decided_by = session.get(Body, objected.body_id)
    assert decided_by is not None  # a foreign key guarantees it
    body = deciding_body(session, decided_by)
    objection = Objection(
        proposal_id=proposal.id,
        decision_id=objected.id,
        lodged_by_id=actor.person_id,
        deciding_body_id=body.id,
        grounds=required_text(grounds, "grounds", what="an objection's grounds"),
        state="open",
        lodged_at=at,
        resolution="",
    )
    session.add(objection)
    session.flush()
    _log(
        session,
        objection,
        actor=actor,
        at=at,
        action="objection.lodged",
        payload={
            "decision": objected.number,
            "deciding_body": body.slug,
            "grounds": objection.grounds,
            "window_closes": closes,
        },
    )
    return objection


def _decision(session: Session, proposal: Proposal, number: str) -> Decision:
    found = decision_queries.by_number(session, number)
    if found is None or found.proposal_id != proposal.id:
        raise NotFound(f"proposal {proposal.id} has no decision {number}", field="decision")
    if found.kind == "objection":
        raise Conflict(
            f"{number} resolved a formal objection: that resolution is final, and cannot be "
            "objected to"
        )
    return found


def _objection(session: Session, proposal_id: int, objection_id: int) -> Objection:
    objection = queries.objection(session, objection_id, for_update=True)
    if objection is None or objection.proposal_id != proposal_id:
        raise NotFound(f"proposal {proposal_id} has no objection {objection_id}")
    if objection.state != "open":
        raise Conflict(f"objection {objection.id} is already {objection.state}")
    return objection


def withdraw_objection(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    proposal_id: int,
    objection_id: int,
    reason: str = "",
) -> Objection:
    """Withdraw an open objection: its lodger only."""
    require_writer(actor)
    proposal_of(session, proposal_id, for_update=True)
    objection = _objection(session, proposal_id, objection_id)
    if actor.person_id is None or actor.person_id != objection.lodged_by_id:
        raise PermissionDenied(
            f"only the person who lodged objection {objection.id} may withdraw it"
        )
    reason = optional_text(reason, "reason", limit=2000)
    objection.state = "withdrawn"
    objection.resolution = reason
    objection.resolved_at = at
    session.flush()
    _log(
        session,
        objection,
        actor=actor,
        at=at,
        action="objection.withdrawn",
        payload={"reason": reason},
    )
    return objection


def resolve_objection(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    proposal_id: int,
    objection_id: int,
    outcome: str,
    reasons: str,
) -> Objection:
    """Decide an open objection (chair or co-chair of the deciding body): a recorded decision."""
    require_writer(actor)
    proposal = proposal_of(session, proposal_id, for_update=True)
    objection = _objection(session, proposal_id, objection_id)
    body = session.get(Body, objection.deciding_body_id)
    assert body is not None  # a foreign key guarantees it
    if not officer_of(session, actor.person_id, body, at):
        raise PermissionDenied(
            f"only the chair or co-chair of {body.slug} may decide objection {objection.id}"
        )
    if outcome not in OUTCOMES:
        raise InvalidInput(
            f"an objection is {' or '.join(OUTCOMES)}, not {outcome!r}", field="outcome"
        )
    reasons = required_text(reasons, "reasons", what="the reasons for the decision")
    objected = session.get(Decision, objection.decision_id)
    assert objected is not None  # a foreign key guarantees it
    lodger = queries.person_names(session, [objection.lodged_by_id])[objection.lodged_by_id]
    decision = record_decision(
        session,
        at=at,
        actor_id=actor.person_id,
        body=body,
        proposal=proposal,
        kind="objection",
        outcome=outcome,
        summary=f"{body.name} on the formal objection by {lodger} to {objected.number} "
        f"(proposal {proposal.id}, {proposal.title}): {outcome}. {reasons}",
        digest=objected.digest,
    )
    objection.state = outcome
    objection.resolution = reasons
    objection.resolved_at = at
    objection.resolution_decision_id = decision.id
    session.flush()
    _log(
        session,
        objection,
        actor=actor,
        at=at,
        action="objection.resolved",
        payload={"outcome": outcome, "reasons": reasons, "decision": decision.number},
    )
    return objection


def _log(
    session: Session,
    objection: Objection,
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
        subject_type="objection",
        subject_id=objection.id,
        proposal_id=objection.proposal_id,
        body_id=objection.deciding_body_id,
        payload=payload,
    )


def _views(session: Session, rows: list[Objection]) -> list[ObjectionView]:
    numbers = queries.decision_numbers(
        session, [o.decision_id for o in rows] + [o.resolution_decision_id for o in rows]
    )
    slugs = queries.body_slugs(session, [o.deciding_body_id for o in rows])
    names = queries.person_names(session, [o.lodged_by_id for o in rows])
    return [
        ObjectionView(
            objection=objection,
            decision=numbers[objection.decision_id],
            deciding_body=slugs[objection.deciding_body_id],
            lodged_by_name=names[objection.lodged_by_id],
            resolution_decision=(
                numbers[objection.resolution_decision_id]
                if objection.resolution_decision_id is not None
                else None
            ),
        )
        for objection in rows
    ]


def list_objections(
    session: Session, *, proposal_id: int, after: int, limit: int, state: str | None = None
) -> list[ObjectionView]:
    proposal_of(session, proposal_id)
    rows = queries.objections_page(
        session, proposal_id=proposal_id, after=after, limit=limit, state=state
    )
    return _views(session, rows)


def get_objection(session: Session, *, proposal_id: int, objection_id: int) -> ObjectionView:
    proposal_of(session, proposal_id)
    objection = queries.objection(session, objection_id)
    if objection is None or objection.proposal_id != proposal_id:
        raise NotFound(f"proposal {proposal_id} has no objection {objection_id}")
    return _views(session, [objection])[0]


def holding_labels(session: Session, proposal_id: int, digest: str | None) -> tuple[str, ...]:
    """For the ``no_open_objections`` guard: one line per objection holding the proposal."""
    rows = queries.holding_objections(session, proposal_id, digest)
    return tuple(view.label() for view in _views(session, rows))
