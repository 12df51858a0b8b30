"""``/api/v1/proposals/{id}/comments``, ``/concerns``, ``/objections``: review around the vote.

One router for the app to include; each resource has its own module.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.retry import RetryingRoute
from api.routers import comments, concerns, objections

router = APIRouter(route_class=RetryingRoute)
for _module in (comments, concerns, objections):
    router.include_router(_module.router)
