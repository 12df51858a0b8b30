"""Review before and around the vote: what comments, concerns and formal objections share.

    comments     anchored to a revision (and optionally lines of it), threaded one level,
                 edited only while their revision is current, retracted but never deleted
    concerns     raised by a member of the body reviewing now; they block the actions a
                 workflow guards with ``no_open_concerns`` until their raiser resolves them
    objections   to a decision, within the workflow's ``objection_window``, decided by the
                 body above; they hold ratification (``no_open_objections``) while open

Every act appends its log entry (``comment.added``, ``concern.raised``, ...) in the caller's
unit of work. Lock order, as everywhere: the proposal row, then the review row, then the log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotFound
from governance_engine.lifecycle import SPONSOR, WorkflowMachine
from governance_engine.persistence.models import Body, Proposal, Seat
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import proposals as proposal_queries
from governance_engine.services.body_refs import BodyRefs
from governance_engine.services.workflows import WorkflowCatalog

MAX_TEXT: Final = 20_000
MAX_TITLE: Final = 200
OFFICERS: Final = ("chair", "co_chair")
"""Who speaks for a body on a concern or an objection: its chair or co-chair."""


def required_text(value: str, field: str, *, limit: int = MAX_TEXT, what: str) -> str:
    """``value`` stripped; InvalidInput naming ``field`` when empty or longer than ``limit``."""
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(f"{what} must have 1 to {limit} characters", field=field)
    return value


def optional_text(value: str, field: str, *, limit: int = MAX_TEXT) -> str:
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{field} may have at most {limit} characters", field=field)
    return value


def proposal_of(session: Session, proposal_id: int, *, for_update: bool = False) -> Proposal:
    proposal = proposal_queries.get(session, proposal_id, for_update=for_update)
    if proposal is None:
        raise NotFound(f"there is no proposal {proposal_id}")
    return proposal


def machine_of(session: Session, catalog: WorkflowCatalog, proposal: Proposal) -> WorkflowMachine:
    return catalog.machine(session, proposal.workflow_name, proposal.workflow_version)


def require_not_final(machine: WorkflowMachine, proposal: Proposal, doing: str) -> None:
    """A proposal in a final state is a closed record: nobody reviews it any more."""
    if machine.definition.states[proposal.state].terminal:
        raise Conflict(f"proposal {proposal.id} is {proposal.state}: it is closed to {doing}")


def reviewing_body(session: Session, machine: WorkflowMachine, proposal: Proposal) -> Body:
    """The body reviewing the proposal now: its state's ballot body, else the sponsoring body."""
    stage = machine.definition.states[proposal.state].ballot
    ref = SPONSOR if stage is None else stage.body
    where = f"states.{proposal.state}.ballot.body"
    return BodyRefs.load(session, proposal).require(ref, machine.definition, where)


def seats_on(session: Session, person_id: int | None, body_id: int, at: datetime) -> list[Seat]:
    if person_id is None:
        return []
    return directory.active_seats(session, at=at, person_id=person_id, body_id=body_id)


def officer_of(session: Session, person_id: int | None, body: Body, at: datetime) -> bool:
    return any(seat.role in OFFICERS for seat in seats_on(session, person_id, body.id, at))
