"""``governance-engine people create-admin``: bootstrap the first admin and their token."""

from __future__ import annotations

import argparse

from governance_engine.cli._common import Commands, open_database
from governance_engine.clock import SystemClock


def register(commands: Commands) -> None:
    people = commands.add_parser("people", help="manage people")
    actions = people.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    admin = actions.add_parser(
        "create-admin", help="create an admin and print their API token (shown once)"
    )
    admin.add_argument("--name", required=True)
    admin.add_argument("--email", required=True)
    admin.set_defaults(handler=_create_admin)


def _create_admin(args: argparse.Namespace) -> int:
    from governance_engine.services import identity

    database = open_database()
    try:
        with database.transaction() as session:
            issued = identity.create_admin(
                session, at=SystemClock().now(), name=args.name, email=args.email
            )
    finally:
        database.dispose()
    print(f"admin created (person {issued.person_id}). API token, shown once:")
    print(issued.secret)
    return 0
