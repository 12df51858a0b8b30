"""``governance-engine serve``: run the HTTP API and pages under uvicorn.

On SQLite the database file is created and migrated on start. A PostgreSQL database is
migrated explicitly (``db upgrade``), because several hosts may start at once. With
``--demo``, an empty database is then seeded with the demo alliance (see ``demo``).

The workflows (bundled, and the operator's from ``--workflows`` or
``GOVERNANCE_WORKFLOWS_DIR``) are loaded and checked against the versions stored in the
database before the server starts, so a bad file stops ``serve`` with one line per problem.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from governance_engine.cli import _demo
from governance_engine.cli._common import Commands, open_or_create_database
from governance_engine.config import WORKFLOWS_DIR_VARIABLE, Settings, workflows_dir

# uvicorn imports the web layer by name, so the core never imports it.
APP_FACTORY = "api.app:create_app"


def register(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="run the HTTP API and the pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--workflows",
        metavar="DIR",
        type=Path,
        help="the operator's workflow files (*.yaml, *.yml), loaded beside the bundled ones; "
        "a file with the name of a bundled workflow replaces it "
        f"(default: ${WORKFLOWS_DIR_VARIABLE})",
    )
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log one line per request (off by default: it costs a write per request)",
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help="seed an empty database with the demo alliance on start and print its API tokens; "
        "a database that already has people is left as it is",
    )
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from governance_engine.services.workflows import WorkflowCatalog

    if not 1 <= args.port <= 65535:
        raise SystemExit("governance-engine: error: --port must be between 1 and 65535")
    if args.workers < 1:
        raise SystemExit("governance-engine: error: --workers must be at least 1")
    if args.workflows is not None:
        # The app (in every uvicorn worker) reads its settings from the environment.
        os.environ[WORKFLOWS_DIR_VARIABLE] = str(args.workflows.resolve())
    catalog = WorkflowCatalog.configured(workflows_dir())  # before touching the database
    database = open_or_create_database()
    try:
        with database.reader() as session:
            catalog.load_stored(session)
        if args.demo:
            _demo.seed_on_start(database)
    finally:
        database.dispose()
    # X-Forwarded-For and X-Forwarded-Proto are believed only from GOVERNANCE_TRUSTED_PROXIES
    # (none by default: uvicorn's own default would trust 127.0.0.1).
    proxies = Settings.from_env().access.trusted_proxies
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=args.access_log,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=list(proxies) or None,
        # uvicorn kills a worker that does not answer its health check in time; 5 s (its
        # default) is shorter than a worker's start on a busy host, which then never comes up.
        timeout_worker_healthcheck=30,
    )
    return 0
