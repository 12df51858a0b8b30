"""``governance-engine log ...``: what auditors run against the decision log."""

from __future__ import annotations

import argparse
import sys

from governance_engine.cli._common import Commands, open_database
from governance_engine.persistence import log_writer


def register(commands: Commands) -> None:
    log = commands.add_parser("log", help="verify and read the decision log")
    actions = log.add_subparsers(dest="log_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify", help="recompute the hash chain; exit 1 and name the first broken seq"
    )
    verify.set_defaults(handler=_verify)


def _verify(_args: argparse.Namespace) -> int:
    database = open_database()
    try:
        with database.reader() as session:
            result = log_writer.verify(session)
    finally:
        database.dispose()
    if result.ok:
        print(result.describe())
        return 0
    print(result.describe(), file=sys.stderr)
    return 1
