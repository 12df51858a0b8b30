"""The signed-in person's dashboard: their notifications, seats, ballots awaiting their vote,
their proposals."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import ClockDep, DatabaseDep
from api.pages._render import PageRoute, render
from api.pages._web import CurrentViewer
from governance_engine.services import dashboard, notifications

NOTIFICATIONS_SHOWN = 20

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def home(
    request: Request,
    viewer: CurrentViewer,
    database: DatabaseDep,
    clock: ClockDep,
    notices: Literal["all", "unread"] = "all",
) -> Response:
    """The dashboard; ``notices=unread`` lists only the notifications not yet marked read."""
    at = clock.now()
    actor = viewer.actor
    with database.reader() as session:
        board = dashboard.dashboard(session, actor=actor, at=at)
        shown = []
        unread = 0
        if actor.person_id is not None:
            shown = notifications.list_notifications(
                session,
                viewer=actor,
                before=None,
                limit=NOTIFICATIONS_SHOWN,
                unread_only=notices == "unread",
            )
            unread = notifications.unread_count(session, viewer=actor)
    return render(
        request,
        "dashboard.html",
        title="Dashboard",
        section="dashboard",
        board=board,
        now=at,
        notifications=shown,
        unread=unread,
        notices=notices,
    )
