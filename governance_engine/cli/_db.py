"""``governance-engine db upgrade|downgrade|current``: the schema, by Alembic."""

from __future__ import annotations

import argparse

from governance_engine.cli._common import Commands, open_database


def register(commands: Commands) -> None:
    db = commands.add_parser("db", help="migrate the database schema")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    upgrade = actions.add_parser("upgrade", help="migrate to a revision (default: head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=_upgrade)

    downgrade = actions.add_parser("downgrade", help="migrate back to a revision (e.g. base)")
    downgrade.add_argument("revision")
    downgrade.set_defaults(handler=_downgrade)

    current = actions.add_parser("current", help="print the schema revision and the head")
    current.set_defaults(handler=_current)


def _upgrade(args: argparse.Namespace) -> int:
    from governance_engine.persistence import migrate

    database = open_database(require_current=False)
    try:
        migrate.upgrade(database.engine, args.revision)
        print(f"database at {', '.join(migrate.current_revisions(database.engine))}")
    finally:
        database.dispose()
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    from governance_engine.persistence import migrate

    database = open_database(require_current=False)
    try:
        migrate.downgrade(database.engine, args.revision)
        found = ", ".join(migrate.current_revisions(database.engine)) or "base (empty)"
        print(f"database at {found}")
    finally:
        database.dispose()
    return 0


def _current(_args: argparse.Namespace) -> int:
    from governance_engine.persistence import migrate

    database = open_database(require_current=False)
    try:
        current = ", ".join(migrate.current_revisions(database.engine)) or "none (empty database)"
        heads = ", ".join(migrate.head_revisions())
        print(f"current: {current}\nhead: {heads}")
    finally:
        database.dispose()
    return 0
