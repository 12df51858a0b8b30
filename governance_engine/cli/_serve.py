"""``governance-engine serve``: run the HTTP API and pages under uvicorn.

On SQLite the database file is created and migrated on start. A PostgreSQL database is
migrated explicitly (``db upgrade``), because several hosts may start at once. With
``--demo``, an empty database is then seeded with the demo alliance (see ``demo``).
"""

from __future__ import annotations

import argparse

import uvicorn

from governance_engine.cli import _demo
from governance_engine.cli._common import Commands, open_database
from governance_engine.persistence import migrate

# uvicorn imports the web layer by name, so the core never imports it.
APP_FACTORY = "api.app:create_app"


def register(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="run the HTTP API and the pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--demo",
        action="store_true",
        help="seed an empty database with the demo alliance on start and print its API tokens; "
        "a database that already has people is left as it is",
    )
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        raise SystemExit("governance-engine: error: --port must be between 1 and 65535")
    if args.workers < 1:
        raise SystemExit("governance-engine: error: --workers must be at least 1")
    database = open_database(require_current=False)
    try:
        if database.backend == "sqlite":
            migrate.upgrade(database.engine)
        else:
            migrate.ensure_current(database.engine)
        if args.demo:
            _demo.seed_on_start(database)
    finally:
        database.dispose()
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        # uvicorn kills a worker that does not answer its health check in time; 5 s (its
        # default) is shorter than a worker's start on a busy host, which then never comes up.
        timeout_worker_healthcheck=30,
    )
    return 0
