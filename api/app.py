"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api import health, pages, problems
from api.routers import (
    ballots,
    bodies,
    decisions,
    log,
    notifications,
    organizations,
    people,
    proposals,
    review,
    tokens,
    transparency,
    webhooks,
    workflows,
)
from governance_engine import __version__
from governance_engine.clock import Clock, SystemClock
from governance_engine.config import Settings
from governance_engine.persistence.database import Database
from governance_engine.services import checkpoints
from governance_engine.services.tick import tick
from governance_engine.services.workflows import WorkflowCatalog
from governance_engine.signing import load_or_create_key

logger = logging.getLogger("governance_engine.serve")


async def _every(interval: float, name: str, work: Callable[[], Any]) -> None:
    """Run ``work`` every ``interval`` seconds; one failed round never stops the next."""
    while True:
        await asyncio.sleep(interval)
        try:
            result = await run_in_threadpool(work)
            if result:
                logger.info("%s: %s", name, result)
        except Exception:
            logger.exception("%s failed", name)


def _periodic_tasks(
    settings: Settings,
    database: Database,
    catalog: WorkflowCatalog,
    clock: Clock,
    key: Ed25519PrivateKey,
) -> list[asyncio.Task[None]]:
    """Deadlines and checkpoints. Safe in several workers: both are idempotent."""

    def run_tick() -> str | None:
        report = tick(database, clock=clock, catalog=catalog)
        return report.describe() if report.closed else None

    def run_checkpoint() -> None:
        with database.transaction() as session:
            checkpoints.create_checkpoint(session, at=clock.now(), key=key)

    tasks = []
    if settings.tick_interval > 0:
        tasks.append(asyncio.create_task(_every(settings.tick_interval, "tick", run_tick)))
    if settings.checkpoint_interval > 0:
        tasks.append(
            asyncio.create_task(_every(settings.checkpoint_interval, "checkpoint", run_checkpoint))
        )
    return tasks


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.database_url)
        catalog = WorkflowCatalog.bundled()
        with database.reader() as session:
            catalog.load_stored(session)
        key = load_or_create_key(settings.signing_key_path)
        app.state.database = database
        app.state.catalog = catalog
        app.state.clock = clock
        app.state.signing_key = key
        tasks = _periodic_tasks(settings, database, catalog, clock, key)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
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
        transparency,
        review,
        webhooks,
        notifications,
    ):
        app.include_router(module.router)
    app.include_router(pages.router)
    return app
