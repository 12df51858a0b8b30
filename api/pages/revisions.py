"""A proposal's revisions: read one, compare any two, add the next."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.deps import CatalogDep, ClockDep, DatabaseDep
from api.pages import _diff
from api.pages._render import PageRoute, render, see_other
from api.pages._web import CurrentViewer, PostedForm, flash
from governance_engine.errors import NotFound
from governance_engine.services import dashboard, proposals, reads

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/proposals/{proposal_id}/revisions/{number}")
def revision_page(
    proposal_id: int,
    number: int,
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
) -> Response:
    with database.reader() as session:
        proposal = reads.proposal_summary(session, proposal_id).proposal
        revision = reads.revision(session, proposal_id, number)
        names = dashboard.names(session, [revision.created_by_id])
    return render(
        request,
        "revision.html",
        title=f"Revision {number} of {proposal.title}",
        section="proposals",
        proposal=proposal,
        revision=revision,
        author=names.get(revision.created_by_id, ""),
    )


@router.get("/proposals/{proposal_id}/diff")
def diff_page(
    proposal_id: int,
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    old: Annotated[int | None, Query(alias="from", ge=1)] = None,
    new: Annotated[int | None, Query(alias="to", ge=1)] = None,
    layout: Literal["unified", "side-by-side"] = "unified",
) -> Response:
    """Two revisions compared; by default the one before the current revision and the current."""
    with database.reader() as session:
        proposal = reads.proposal_summary(session, proposal_id).proposal
        numbers = [r.number for r in reads.revisions(session, proposal_id)]
        if not numbers:
            raise NotFound(f"proposal {proposal_id} has no revision yet")
        new = new if new is not None else numbers[-1]
        old = old if old is not None else max(1, new - 1)
        before = reads.revision(session, proposal_id, old)
        after = reads.revision(session, proposal_id, new)
    return render(
        request,
        "diff.html",
        title=f"Revisions {old} and {new} of {proposal.title}",
        section="proposals",
        proposal=proposal,
        before=before,
        after=after,
        numbers=numbers,
        compare_from=old,
        compare_to=new,
        compare_layout=layout,
        layout=layout,
        unified=_diff.unified(before.text, after.text, f"revision {old}", f"revision {new}")
        if layout == "unified"
        else [],
        rows=_diff.side_by_side(before.text, after.text) if layout == "side-by-side" else [],
    )


@router.post("/proposals/{proposal_id}/revisions")
def add_revision(
    proposal_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
) -> Response:
    with database.transaction() as session:
        revision = proposals.add_revision(
            session,
            actor=posted.viewer.actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            text=posted.form.get("text"),
            note=posted.form.get("note"),
            expected_version=posted.form.optional_int("version"),
        )
        number = revision.number
    response = see_other(f"/proposals/{proposal_id}")
    flash(response, request, f"Revision {number} added.")
    return response
