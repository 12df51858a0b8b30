"""A person's notifications on their dashboard: marking one read (the list is on ``/``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import ClockDep, DatabaseDep
from api.pages._render import PageRoute, see_other
from api.pages._web import PostedForm, flash
from governance_engine.services import notifications

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.post("/notifications/{notification_id}/read")
def mark_read(
    notification_id: int,
    request: Request,
    posted: PostedForm,
    database: DatabaseDep,
    clock: ClockDep,
) -> Response:
    with database.transaction() as session:
        notifications.mark_read(
            session, viewer=posted.viewer.actor, at=clock.now(), notification_id=notification_id
        )
    response = see_other("/#notifications")
    flash(response, request, "Marked read.")
    return response
