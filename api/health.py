"""``/health``: liveness plus "the database answers and is migrated"."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.retry import RetryingRoute
from governance_engine.errors import ConfigurationError
from governance_engine.persistence import migrate
from governance_engine.persistence.database import Database

router = APIRouter(tags=["health"], route_class=RetryingRoute)


class HealthRead(BaseModel):
    status: Literal["ok", "unavailable"]
    database: str


def _check(database: Database) -> str:
    database.ping()
    migrate.ensure_current(database.engine)
    return "ok"


@router.get(
    "/health",
    response_model=HealthRead,
    responses={503: {"model": HealthRead, "description": "the database is unreachable"}},
)
async def health(request: Request, response: Response) -> HealthRead:
    database: Database = request.app.state.database
    try:
        state = await run_in_threadpool(_check, database)
    except ConfigurationError as error:
        response.status_code = 503
        return HealthRead(status="unavailable", database=str(error))
    return HealthRead(status="ok", database=state)
