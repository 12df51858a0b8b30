"""Server-rendered pages for people, served from ``/`` (Jinja2, autoescaped, no JavaScript).

The pages call the same services as the API, in the same units of work, so what a person may
do and what they see cannot differ between the two. One router per area:

    auth        /sign-in, /sign-out: a session from an API token
    sign_in_oidc    /sign-in/oidc/{provider} and its callback: OpenID Connect
    sign_in_email   /sign-in/email, /sign-in/link, /sign-in/invitation: e-mail links
    dashboard   /: the signed-in person's notifications, seats, ballots awaiting their vote,
                their proposals (notifications: marking one read)
    proposals   /proposals, /proposals/new, /proposals/{id}, its actions and ballot opening
    review      /proposals/{id}/comments, /concerns, /objections: the review forms
    comment_search  /comments: comments on every proposal, found by their words
    revisions   /proposals/{id}/revisions/{n}, /proposals/{id}/diff, adding a revision
    ballots     /ballots, /ballots/{id}: rule, electorate, tally, explanation; vote, close
    decisions   /decisions, /decisions/{number}, /decisions/{number}/record (to print)
    audit       /log, /log/export: the decision log for auditors
    public      /public: the register for anyone, no sign-in (public_feeds: Atom, iCalendar,
                the signed checkpoint and proofs to verify it with)

plus ``/static/pages.css``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.staticfiles import StaticFiles

from api.pages import (
    audit,
    auth,
    ballots,
    comment_search,
    dashboard,
    decisions,
    notifications,
    proposals,
    public,
    public_feeds,
    review,
    revisions,
    sign_in_email,
    sign_in_oidc,
)
from api.retry import RetryingRoute

ROUTERS = (
    auth.router,
    sign_in_oidc.router,
    sign_in_email.router,
    dashboard.router,
    notifications.router,
    proposals.router,
    review.router,
    comment_search.router,
    revisions.router,
    ballots.router,
    decisions.router,
    audit.router,
    public.router,
    public_feeds.router,
)
STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False, route_class=RetryingRoute)
for _area in ROUTERS:
    router.include_router(_area)
router.mount("/static", StaticFiles(directory=STATIC), name="static")

__all__ = ["ROUTERS", "router"]
