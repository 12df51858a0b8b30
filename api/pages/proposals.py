"""Proposals: the list with filters, filing a new one, one proposal's page, and its actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.deps import CatalogDep, ClockDep, DatabaseDep
from api.pages import _diagram, review
from api.pages._labels import action_label, state_label
from api.pages._render import PageRoute, render, see_other
from api.pages._timeline import TimelineItem, people_in, timeline
from api.pages._web import CurrentViewer, PostedForm, Viewer, flash, parse_int
from api.problems import status_of
from governance_engine.errors import GovernanceError, InvalidInput
from governance_engine.lifecycle import WorkflowDefinition, to_mermaid
from governance_engine.persistence.models import Body
from governance_engine.services import (
    ballot_reads,
    ballots,
    dashboard,
    proposals,
    reads,
    roles,
)
from governance_engine.services.actor import Actor
from governance_engine.services.ballot_reads import BallotSummary
from governance_engine.services.filing import filing_choices, sponsor_kinds
from governance_engine.services.proposals import AvailableAction
from governance_engine.services.reads import ProposalSummary
from governance_engine.services.workflows import WorkflowCatalog

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50
HISTORY_LIMIT = 1000
OFFICERS = ("chair", "co_chair", "secretary")
Filter = Annotated[str, Query(max_length=64)]
Search = Annotated[str, Query(max_length=200)]
Order = Literal["newest", "oldest"]


def _sponsoring_bodies(session: Session, catalog: WorkflowCatalog) -> list[Body]:
    kinds = sponsor_kinds(catalog)
    return [b for b in dashboard.bodies(session).values() if b.kind in kinds]


@router.get("/proposals")
def list_proposals(
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    catalog: CatalogDep,
    state: Filter = "",
    kind: Filter = "",
    sponsor: Filter = "",
    after: Filter = "",
    q: Search = "",
    order: Order = "newest",
) -> Response:
    """The proposals, the latest filed first unless ``order=oldest``; ``q`` searches titles,
    summaries and comments, as ``/api/v1/proposals?q=`` does."""
    with database.reader() as session:
        found = reads.list_proposals(
            session,
            after=parse_int(after, "after") or 0,
            limit=PAGE_SIZE + 1,
            state=state or None,
            kind=kind or None,
            sponsor=sponsor or None,
            text=q or None,
            newest_first=order == "newest",
        )
        groups = _sponsoring_bodies(session, catalog)
        names = {b.slug: b.name for b in dashboard.bodies(session).values()}
    items = found[:PAGE_SIZE]
    filters = {"state": state, "kind": kind, "sponsor": sponsor, "q": q, "order": order}
    next_page = None
    if len(found) > PAGE_SIZE:
        query = {key: value for key, value in filters.items() if value}
        next_page = "/proposals?" + urlencode({**query, "after": items[-1].proposal.id})
    states = sorted({name for m in catalog.registry.all() for name in m.definition.states})
    return render(
        request,
        "proposals.html",
        title="Proposals",
        section="proposals",
        items=items,
        body_names=names,
        filters=filters,
        states=states,
        kinds=sorted({d.kind for d in catalog.offered()} | {kind} - {""}),
        groups=groups,
        next_page=next_page,
    )


def _new_form(
    request: Request,
    session: Session,
    catalog: WorkflowCatalog,
    viewer: Actor,
    at: datetime,
    *,
    values: dict[str, str],
    error: str | None = None,
    status: int = 200,
) -> Response:
    choices = filing_choices(session, actor=viewer, at=at, catalog=catalog)
    return render(
        request,
        "proposal_new.html",
        status=status,
        title="File a proposal",
        section="proposals",
        workflows=choices.workflows,
        groups=choices.sponsors,
        values=values,
        error=error,
    )


@router.get("/proposals/new")
def new_proposal(
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    with database.reader() as session:
        return _new_form(request, session, catalog, viewer.actor, clock.now(), values={})


@router.post("/proposals")
def file_proposal(
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    form = posted.form
    fields = ("workflow", "kind", "title", "summary", "sponsor", "text")
    values = {key: form.get(key) for key in fields}
    try:
        with database.transaction() as session:
            proposal = proposals.file_proposal(
                session,
                actor=posted.viewer.actor,
                at=clock.now(),
                catalog=catalog,
                workflow=values["workflow"] or None,
                kind=values["kind"] or None,
                title=values["title"],
                summary=values["summary"],
                sponsor_slug=values["sponsor"],
                text=values["text"] if values["text"].strip() else None,
            )
            proposal_id = proposal.id
    except GovernanceError as error:
        with database.reader() as session:
            return _new_form(
                request,
                session,
                catalog,
                posted.viewer.actor,
                clock.now(),
                values=values,
                error=error.message,
                status=status_of(error),
            )
    response = see_other(f"/proposals/{proposal_id}")
    flash(response, request, f"Proposal {proposal_id} filed.")
    return response


@dataclass(frozen=True)
class _Permissions:
    """Which forms to offer; the services still decide, so a forged form gets 403."""

    revise: bool
    open_ballot: bool
    deadline_required: bool


def _permissions(
    definition: WorkflowDefinition,
    state: str,
    held: frozenset[str],
    open_ballot: BallotSummary | None,
) -> _Permissions:
    stage = definition.states[state].ballot
    officer = stage is not None and any(f"{stage.body}.{role}" in held for role in OFFICERS)
    revise = not definition.states[state].terminal and bool(
        held & {"author", "sponsor.chair", "sponsor.co_chair"}
    )
    return _Permissions(
        revise=revise and open_ballot is None,
        open_ballot=officer and open_ballot is None,
        deadline_required=stage is not None and stage.rule.duration is None,
    )


@dataclass(frozen=True)
class _Page:
    summary: ProposalSummary
    definition: WorkflowDefinition
    actions: list[AvailableAction]
    revisions: list[Any]
    ballots: list[BallotSummary]
    timeline: list[TimelineItem]
    names: dict[int, str]
    sponsor: Body
    permissions: _Permissions


def _load(
    session: Session, viewer: Viewer, catalog: WorkflowCatalog, proposal_id: int, at: datetime
) -> _Page:
    actor = viewer.actor
    summary = reads.proposal_summary(session, proposal_id)
    proposal = summary.proposal
    machine = catalog.machine(session, proposal.workflow_name, proposal.workflow_version)
    actions = proposals.available_actions(
        session, actor=actor, at=at, catalog=catalog, proposal_id=proposal_id
    )
    revisions = reads.revisions(session, proposal_id)
    held = ballot_reads.list_ballots(session, after=0, limit=500, proposal_id=proposal_id)
    history = reads.history(
        session, viewer=actor, proposal_id=proposal_id, after=0, limit=HISTORY_LIMIT
    )
    names = dashboard.names(
        session,
        [
            *summary.authors,
            proposal.filed_by_id,
            *(r.created_by_id for r in revisions),
            *people_in(history),
        ],
    )
    my_roles = (
        roles.roles_for(session, actor=actor, proposal=proposal, at=at)
        if not actor.is_auditor
        else frozenset()
    )
    open_ballot = next((b for b in held if b.ballot.state == "open"), None)
    return _Page(
        summary=summary,
        definition=machine.definition,
        actions=actions,
        revisions=revisions,
        ballots=held,
        timeline=timeline(
            history, names, {b.slug: b.name for b in dashboard.bodies(session).values()}
        ),
        names=names,
        sponsor=dashboard.bodies(session)[proposal.sponsor_body_id],
        permissions=_permissions(machine.definition, proposal.state, my_roles, open_ballot),
    )


@router.get("/proposals/{proposal_id}")
def proposal_page(
    proposal_id: int,
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    at = clock.now()
    with database.reader() as session:
        page = _load(session, viewer, catalog, proposal_id, at)
        discussion = review.load(
            session, viewer, catalog, page.summary.proposal, page.revisions, at
        )
        body_names = {b.slug: b.name for b in dashboard.bodies(session).values()}
    body_names["sponsor"] = page.sponsor.name
    proposal = page.summary.proposal
    definition = page.definition
    return render(
        request,
        "proposal.html",
        title=proposal.title,
        section="proposals",
        page=page,
        proposal=proposal,
        definition=definition,
        diagram=_diagram.svg(definition, proposal.state),
        mermaid=to_mermaid(definition, highlight=proposal.state),
        stage=definition.states[proposal.state].ballot,
        review=discussion,
        body_names=body_names,
    )


@router.post("/proposals/{proposal_id}/actions/{action}")
def take_action(
    proposal_id: int,
    action: str,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    with database.transaction() as session:
        proposal = proposals.take_action(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            action=action,
            expected_version=posted.form.optional_int("version"),
            reason=posted.form.get("reason"),
        )
        definition = catalog.machine(
            session, proposal.workflow_name, proposal.workflow_version
        ).definition
    response = see_other(f"/proposals/{proposal_id}")
    done, state = action_label(action, definition), state_label(proposal.state, definition)
    flash(response, request, f"Done: {done}. The proposal is now {state}.")
    return response


def parse_deadline(text: str) -> datetime | None:
    """A deadline from a ``datetime-local`` field (read as UTC) or ISO-8601 with a zone."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"the deadline {text!r} is not a date and time", field="deadline"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@router.post("/proposals/{proposal_id}/ballots")
def open_ballot(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    with database.transaction() as session:
        ballot = ballots.open_ballot(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            deadline=parse_deadline(posted.form.get("deadline")),
            expected_version=posted.form.optional_int("version"),
        )
        ballot_id = ballot.id
    response = see_other(f"/ballots/{ballot_id}")
    flash(response, request, f"Ballot {ballot_id} is open.")
    return response
