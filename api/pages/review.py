"""Review on a proposal's page: comments, concerns and formal objections, and their forms.

What the proposal page shows of the review comes from ``load`` (read in the page's unit of
work); the forms post here and call the same services as the API's review routes. Which forms
are offered follows the services' rules, but the services still decide: a forged form gets
the same refusal the API gives. Auditors are never offered a form.

Every route has only the proposal in its path; the comment, concern or objection a form acts
on is a field of the form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.deps import CatalogDep, ClockDep, DatabaseDep
from api.pages._render import PageRoute, see_other
from api.pages._web import Form, PostedForm, Viewer, flash
from governance_engine.errors import InvalidInput
from governance_engine.persistence.models import Decision, Proposal, Revision
from governance_engine.persistence.repositories import decisions as decision_queries
from governance_engine.persistence.repositories import directory
from governance_engine.services import comments, concerns, dashboard, objections
from governance_engine.services.comments import CommentView
from governance_engine.services.concerns import ConcernView
from governance_engine.services.objections import ObjectionView
from governance_engine.services.review import OFFICERS, machine_of, reviewing_body
from governance_engine.services.workflows import WorkflowCatalog

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LIMIT = 1000
OUTCOMES = objections.OUTCOMES


@dataclass(frozen=True)
class Thread:
    """A top-level comment, the lines it quotes, and its replies."""

    comment: CommentView
    quoted: list[tuple[int, str]]
    replies: list[CommentView]


@dataclass(frozen=True)
class OpenDecision:
    number: str
    outcome: str
    closes: datetime


@dataclass(frozen=True)
class Review:
    threads: list[Thread]
    concerns: list[ConcernView]
    objections: list[ObjectionView]
    names: dict[int, str]
    current_revision: int | None
    line_count: int
    may_comment: bool
    may_raise_concern: bool
    reviewing_body: str
    open_decisions: list[OpenDecision]
    objection_window: str | None
    addressable: frozenset[int] = field(default_factory=frozenset)  # concern ids
    decidable: frozenset[int] = field(default_factory=frozenset)  # objection ids


def _quoted(revision: Revision | None, start: int | None, end: int | None) -> list[tuple[int, str]]:
    if revision is None or start is None:
        return []
    lines = revision.text.splitlines()
    last = start if end is None else end
    return [
        (number, lines[number - 1]) for number in range(start, last + 1) if number <= len(lines)
    ]


def load(
    session: Session,
    viewer: Viewer,
    catalog: WorkflowCatalog,
    proposal: Proposal,
    revisions: list[Revision],
    at: datetime,
) -> Review:
    actor = viewer.actor
    person_id = actor.person_id
    writer = not actor.is_auditor and person_id is not None
    machine = machine_of(session, catalog, proposal)
    final = machine.definition.states[proposal.state].terminal
    by_number = {revision.number: revision for revision in revisions}
    current = max(by_number) if by_number else None

    found = comments.list_comments(session, proposal_id=proposal.id, after=0, limit=LIMIT)
    replies: dict[int, list[CommentView]] = {}
    for view in found:
        if view.comment.parent_id is not None:
            replies.setdefault(view.comment.parent_id, []).append(view)
    threads = [
        Thread(
            comment=view,
            quoted=_quoted(
                by_number.get(view.revision), view.comment.line_start, view.comment.line_end
            ),
            replies=replies.get(view.comment.id, []),
        )
        for view in found
        if view.comment.parent_id is None
    ]
    raised = concerns.list_concerns(session, proposal_id=proposal.id, after=0, limit=LIMIT)
    lodged = objections.list_objections(session, proposal_id=proposal.id, after=0, limit=LIMIT)
    names = dashboard.names(session, [view.comment.author_id for view in found])

    body = reviewing_body(session, machine, proposal)
    # The viewer's seats, read once: every permission below is a question about them.
    seats = directory.active_seats(session, at=at, person_id=person_id) if writer else []
    voting_on = {seat.body_id for seat in seats if seat.voting}
    officer_on = {seat.body_id for seat in seats if seat.role in OFFICERS}
    may_raise = writer and not final and current is not None and body.id in voting_on
    addressable = frozenset(
        view.concern.id
        for view in raised
        if view.concern.state == "open" and view.concern.body_id in officer_on
    )
    decidable = frozenset(
        view.objection.id
        for view in lodged
        if view.objection.state == "open" and view.objection.deciding_body_id in officer_on
    )

    window = machine.definition.objection_window
    open_decisions: list[OpenDecision] = []
    if writer and window is not None and seats:
        decided: list[Decision] = decision_queries.page(
            session, after=0, limit=LIMIT, proposal_id=proposal.id
        )
        for decision in decided:
            closes = window.closes(decision.decided_at)
            if decision.kind != "objection" and at < closes:
                open_decisions.append(OpenDecision(decision.number, decision.outcome, closes))

    return Review(
        threads=threads,
        concerns=raised,
        objections=lodged,
        names=names,
        current_revision=current,
        line_count=len(by_number[current].text.splitlines()) if current is not None else 0,
        may_comment=(
            writer
            and not final
            and current is not None
            and person_id is not None
            and comments.is_participant(session, person_id, proposal, at, machine.definition)
        ),
        may_raise_concern=may_raise,
        reviewing_body=body.name,
        open_decisions=open_decisions,
        objection_window=window.after if window is not None else None,
        addressable=addressable,
        decidable=decidable,
    )


def _id(form: Form, name: str) -> int:
    value = form.optional_int(name)
    if value is None:
        raise InvalidInput(f"{name} is required", field=name)
    return value


def _done(request: Request, proposal_id: int, anchor: str, message: str) -> Response:
    response = see_other(f"/proposals/{proposal_id}#{anchor}")
    flash(response, request, message)
    return response


# -- comments -------------------------------------------------------------------------------


@router.post("/proposals/{proposal_id}/comments")
def add_comment(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    with database.transaction() as session:
        comment = comments.add_comment(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            body=form.get("body"),
            revision=form.optional_int("revision"),
            line_start=form.optional_int("line_start"),
            line_end=form.optional_int("line_end"),
            parent_id=form.optional_int("parent_id"),
        )
        comment_id = comment.id
        reply = comment.parent_id is not None
    return _done(
        request,
        proposal_id,
        f"comment-{comment_id}",
        f"{'Reply' if reply else 'Comment'} {comment_id} added.",
    )


@router.post("/proposals/{proposal_id}/comments/edit")
def edit_comment(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    comment_id = _id(form, "comment_id")
    with database.transaction() as session:
        comments.edit_comment(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            comment_id=comment_id,
            body=form.get("body"),
            expected_version=form.optional_int("version"),
        )
    return _done(request, proposal_id, f"comment-{comment_id}", f"Comment {comment_id} edited.")


@router.post("/proposals/{proposal_id}/comments/retract")
def retract_comment(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    comment_id = _id(form, "comment_id")
    with database.transaction() as session:
        comments.retract_comment(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            proposal_id=proposal_id,
            comment_id=comment_id,
            reason=form.get("reason"),
            expected_version=form.optional_int("version"),
        )
    return _done(request, proposal_id, f"comment-{comment_id}", f"Comment {comment_id} retracted.")


# -- concerns -------------------------------------------------------------------------------


@router.post("/proposals/{proposal_id}/concerns")
def raise_concern(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    with database.transaction() as session:
        concern = concerns.raise_concern(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            title=form.get("title"),
            text=form.get("text"),
        )
        concern_id = concern.id
    return _done(request, proposal_id, f"concern-{concern_id}", f"Concern {concern_id} raised.")


@router.post("/proposals/{proposal_id}/concerns/address")
def address_concern(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    concern_id = _id(form, "concern_id")
    with database.transaction() as session:
        concerns.address_concern(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            proposal_id=proposal_id,
            concern_id=concern_id,
            reason=form.get("reason"),
        )
    return _done(
        request,
        proposal_id,
        f"concern-{concern_id}",
        f"Concern {concern_id} marked addressed; it blocks until its raiser resolves it.",
    )


@router.post("/proposals/{proposal_id}/concerns/resolve")
def resolve_concern(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    concern_id = _id(form, "concern_id")
    with database.transaction() as session:
        concerns.resolve_concern(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            proposal_id=proposal_id,
            concern_id=concern_id,
            note=form.get("note"),
        )
    return _done(request, proposal_id, f"concern-{concern_id}", f"Concern {concern_id} resolved.")


# -- objections -----------------------------------------------------------------------------


@router.post("/proposals/{proposal_id}/objections")
def lodge_objection(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    with database.transaction() as session:
        objection = objections.lodge_objection(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            decision=form.get("decision").strip(),
            grounds=form.get("grounds"),
        )
        objection_id = objection.id
    return _done(
        request, proposal_id, f"objection-{objection_id}", f"Objection {objection_id} lodged."
    )


@router.post("/proposals/{proposal_id}/objections/withdraw")
def withdraw_objection(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    objection_id = _id(form, "objection_id")
    with database.transaction() as session:
        objections.withdraw_objection(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            proposal_id=proposal_id,
            objection_id=objection_id,
            reason=form.get("reason"),
        )
    return _done(
        request, proposal_id, f"objection-{objection_id}", f"Objection {objection_id} withdrawn."
    )


@router.post("/proposals/{proposal_id}/objections/resolve")
def resolve_objection(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    objection_id = _id(form, "objection_id")
    with database.transaction() as session:
        objection = objections.resolve_objection(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            proposal_id=proposal_id,
            objection_id=objection_id,
            outcome=form.get("outcome"),
            reasons=form.get("reasons"),
        )
        outcome = objection.state
    return _done(
        request, proposal_id, f"objection-{objection_id}", f"Objection {objection_id} {outcome}."
    )
