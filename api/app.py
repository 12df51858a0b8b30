"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api import health, problems
from api.routers import (
    ballots,
    bodies,
    decisions,
    log,
    organizations,
    people,
    proposals,
    tokens,
    workflows,
)
from governance_engine import __version__
from governance_engine.clock import Clock, SystemClock
from governance_engine.config import Settings
from governance_engine.persistence.database import Database
from governance_engine.services.tick import tick
from governance_engine.services.workflows import WorkflowCatalog

logger = logging.getLogger("governance_engine.serve")


async def _tick_forever(
    database: Database, catalog: WorkflowCatalog, clock: Clock, interval: float
) -> None:
    """Act on deadlines every ``interval`` seconds; safe in several workers (tick is idempotent)."""
    while True:
        await asyncio.sleep(interval)
        try:
            report = await run_in_threadpool(tick, database, clock=clock, catalog=catalog)
            if report.closed:
                logger.info("tick: %s", report.describe())
        except Exception:  # keep ticking: one bad round must not stop deadlines for good
            logger.exception("tick failed")


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.database_url)
        catalog = WorkflowCatalog.bundled()
        with database.reader() as session:
            catalog.load_stored(session)
        app.state.database = database
        app.state.catalog = catalog
        app.state.clock = clock
        ticker = None
        if settings.tick_interval > 0:
            ticker = asyncio.create_task(
                _tick_forever(database, catalog, clock, settings.tick_interval)
            )
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
            database.dispose()

    app = FastAPI(
        title="governance-engine",
        version=__version__,
        summary="Proposals, ballots and a tamper-evident decision log for an alliance.",
        lifespan=lifespan,
    )
    problems.install(app)
    app.include_router(health.router)
    for module in (
        organizations,
        people,
        bodies,
        tokens,
        workflows,
        proposals,
        ballots,
        decisions,
        log,
    ):
        app.include_router(module.router)
    return app
