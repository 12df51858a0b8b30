"""The ``governance-engine`` command line.

Each command group lives in its own module and registers itself through ``register``.
Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from governance_engine.cli import (
    _db,
    _deliver,
    _demo,
    _log,
    _people,
    _serve,
    _tick,
    _workflows,
)
from governance_engine.errors import GovernanceError, WorkflowDefinitionError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="governance-engine",
        description="System of record for proposals, ballots and the decision log.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (_serve, _db, _workflows, _log, _tick, _deliver, _people, _demo):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.handler(args)
    except WorkflowDefinitionError as error:  # one line per problem: file, key, what is wrong
        for problem in error.problems:
            print(f"governance-engine: error: {problem}", file=sys.stderr)
        return EXIT_FAILURE
    except GovernanceError as error:
        print(f"governance-engine: error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as error:
        if not _is_database_error(error):
            raise
        origin = getattr(error, "orig", None) or error
        first = (
            str(origin).strip().splitlines()[0] if str(origin).strip() else type(origin).__name__
        )
        print(f"governance-engine: database error: {first}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    return result


def _is_database_error(error: Exception) -> bool:
    """A SQLAlchemy error, told without importing SQLAlchemy: a command that never reached the
    database (``--help``, ``workflows check``) must not pay for loading it."""
    loaded = sys.modules.get("sqlalchemy.exc")
    return loaded is not None and isinstance(error, loaded.SQLAlchemyError)
