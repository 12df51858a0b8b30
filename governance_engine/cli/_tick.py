"""``governance-engine tick``: close the ballots whose rule lets them close now."""

from __future__ import annotations

import argparse

from governance_engine.cli._common import Commands, open_database
from governance_engine.clock import SystemClock
from governance_engine.config import workflows_dir


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "tick",
        help="act on deadlines now (idempotent; safe to run in several processes at once)",
    )
    command.set_defaults(handler=_tick)


def _tick(_args: argparse.Namespace) -> int:
    from governance_engine.services.tick import tick
    from governance_engine.services.workflows import WorkflowCatalog

    database = open_database()
    try:
        catalog = WorkflowCatalog.at_start(database, workflows_dir())
        report = tick(database, clock=SystemClock(), catalog=catalog)
    finally:
        database.dispose()
    print(report.describe())
    return 0
