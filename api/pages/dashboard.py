"""The signed-in person's dashboard: their seats, ballots awaiting their vote, their proposals."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import ClockDep, DatabaseDep
from api.pages._render import PageRoute, render
from api.pages._web import CurrentViewer
from governance_engine.services import dashboard

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/")
def home(
    request: Request, viewer: CurrentViewer, database: DatabaseDep, clock: ClockDep
) -> Response:
    at = clock.now()
    with database.reader() as session:
        board = dashboard.dashboard(session, actor=viewer.actor, at=at)
    return render(
        request, "dashboard.html", title="Dashboard", section="dashboard", board=board, now=at
    )
