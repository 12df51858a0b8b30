"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import health
from governance_engine import __version__
from governance_engine.config import Settings
from governance_engine.persistence.database import Database


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.database_url)
        app.state.database = database
        try:
            yield
        finally:
            database.dispose()

    app = FastAPI(
        title="governance-engine",
        version=__version__,
        summary="Proposals, ballots and a tamper-evident decision log for an alliance.",
        lifespan=lifespan,
    )
    app.include_router(health.router)
    return app
