"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api import health, pages, problems
from api.access import AccessContext
from api.limits import DEFAULT_MAX_BODY, BodySizeLimit
from api.routers import (
    access,
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
    witnesses,
    workflows,
)
from api.throttle import WriteRateLimit
from governance_engine import __version__
from governance_engine.clock import Clock, SystemClock
from governance_engine.config import Settings
from governance_engine.errors import LogIntegrityError
from governance_engine.persistence.database import Database
from governance_engine.persistence.webhook_sender import HttpSender
from governance_engine.services import checkpoints
from governance_engine.services import notifications as notification_service
from governance_engine.services.tick import tick
from governance_engine.services.webhooks import RetryPolicy, deliver_due, prune_finished
from governance_engine.services.webhooks import retention as webhook_retention
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
    """Deadlines, checkpoints, and webhook (and email) deliveries. Safe in several workers:
    all are idempotent, and deliveries are claimed so each goes out once."""
    reminder_window = timedelta(hours=settings.reminder_window_hours)
    sender = HttpSender(
        timeout=settings.webhook_timeout, allow_private=settings.webhook_allow_private
    )
    policy = RetryPolicy.from_settings(settings)
    mailer = notification_service.mailer_from(settings)

    def run_tick() -> str | None:
        report = tick(database, clock=clock, catalog=catalog, reminder_window=reminder_window)
        return report.describe() if report.acted else None

    def run_checkpoint() -> None:
        try:
            with database.transaction() as session:
                checkpoints.create_checkpoint(session, at=clock.now(), key=key)
        except LogIntegrityError as refused:  # nothing signed; say why on every round
            logger.error("checkpoint: %s", refused)

    keep = webhook_retention(settings)

    def run_deliveries() -> str | None:
        report = deliver_due(database, clock=clock, sender=sender, policy=policy)
        said = [report.describe()] if report.attempted else []
        if keep is not None and (pruned := prune_finished(database, clock=clock, keep=keep)):
            said.append(f"pruned {pruned} finished webhook events")
        if mailer is not None:
            emails = notification_service.email_notifications(database, clock=clock, mailer=mailer)
            said += [emails.describe()] if emails.sent or emails.failed else []
        return "; ".join(said) or None

    tasks = []
    if settings.tick_interval > 0:
        tasks.append(asyncio.create_task(_every(settings.tick_interval, "tick", run_tick)))
    if settings.checkpoint_interval > 0:
        tasks.append(
            asyncio.create_task(_every(settings.checkpoint_interval, "checkpoint", run_checkpoint))
        )
    if settings.delivery_interval > 0:
        tasks.append(
            asyncio.create_task(_every(settings.delivery_interval, "deliver", run_deliveries))
        )
    return tasks


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(
            settings.database_url,
            isolation=settings.isolation,
            retry_attempts=settings.db_retry_attempts,
        )
        catalog = WorkflowCatalog.at_start(database, settings.workflows_dir)
        key = load_or_create_key(settings.signing_key_path)
        app.state.database = database
        app.state.catalog = catalog
        app.state.clock = clock
        app.state.signing_key = key
        app.state.access = AccessContext.build(settings, database)
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
    app.add_middleware(BodySizeLimit, max_bytes=DEFAULT_MAX_BODY)
    app.add_middleware(WriteRateLimit)  # outermost: a refused write is not even read
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
        witnesses,
        review,
        webhooks,
        notifications,
        access,
    ):
        app.include_router(module.router)
    app.include_router(pages.router)
    _document_problems(app)
    return app


def _document_problems(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problems.document_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
