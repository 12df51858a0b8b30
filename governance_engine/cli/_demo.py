"""``governance-engine demo``: seed an empty database with a realistic alliance; print tokens.

``serve --demo`` uses the same seeding on start, and leaves a database that already has
people as it is.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from governance_engine.cli._common import Commands, open_or_create_database
from governance_engine.clock import SystemClock
from governance_engine.config import workflows_dir

if TYPE_CHECKING:
    from governance_engine.persistence.database import Database
    from governance_engine.services.demo import DemoSeed
    from governance_engine.services.workflows import WorkflowCatalog

DESCRIPTION = """\
Seed an empty, migrated database with a realistic demo: twelve member organizations, a Board,
a TOC and three working groups, thirty-odd people with seats, and eight months of proposals,
ballots, votes and decisions, every one of them in the decision log. Some ballots are still
open, with deadlines in the coming days. Prints one API token per role (chair, member,
secretary, auditor, admin), shown once. A database that already has people is refused.
A SQLite file that does not exist yet is created and migrated first, as `serve` does.
"""


def register(commands: Commands) -> None:
    command = commands.add_parser(
        "demo",
        help="seed an empty database with a demo alliance and print one API token per role",
        description=DESCRIPTION,
    )
    command.set_defaults(handler=_demo)


def _demo(_args: argparse.Namespace) -> int:
    from governance_engine.services import demo

    database = open_or_create_database()
    try:
        catalog = _catalog(database)
        with database.transaction() as session:
            seeded = demo.seed_demo(session, now=SystemClock().now(), catalog=catalog)
    finally:
        database.dispose()
    print_seed(seeded)
    return 0


def seed_on_start(database: Database) -> None:
    """For ``serve --demo``: seed the database if it is empty, else say why not (one line)."""
    from governance_engine.services import demo

    catalog = _catalog(database)
    with database.transaction() as session:
        # One unit of work: the emptiness check holds the log head until the seed commits.
        seeded = (
            demo.seed_demo(session, now=SystemClock().now(), catalog=catalog)
            if demo.is_empty(session)
            else None
        )
    if seeded is None:
        print(
            "governance-engine: --demo: the database already has people; left as it is", flush=True
        )
    else:
        print_seed(seeded)


def _catalog(database: Database) -> WorkflowCatalog:
    from governance_engine.services.workflows import WorkflowCatalog

    return WorkflowCatalog.at_start(database, workflows_dir())


def print_seed(seeded: DemoSeed) -> None:
    """The counts, then one aligned row per token: role, name, email, token."""
    rows = [("role", "name", "email", "token")]
    rows += [(t.role, t.name, t.email, t.token) for t in seeded.tokens]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    print(f"demo seeded: {seeded.describe()}")
    print('API tokens, shown once (send as "Authorization: Bearer TOKEN"):')
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
        print("  " + "  ".join([*cells, row[3]]))
    print(flush=True)
