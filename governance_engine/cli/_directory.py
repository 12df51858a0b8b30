"""``governance-engine directory import|export FILE``: onboard member organizations from a file.

The import runs as the system (whoever can reach the database is trusted, as for
``people create-admin``); every change is logged like an admin's.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from governance_engine.cli._common import Commands, open_database
from governance_engine.clock import SystemClock


def register(commands: Commands) -> None:
    group = commands.add_parser(
        "directory", help="import or export organizations, people, bodies and seats"
    )
    actions = group.add_subparsers(dest="directory_command", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import",
        help="add what a YAML or CSV file has and the directory lacks (all or nothing)",
    )
    load.add_argument("file", type=Path, help="a .yaml, .yml or .csv directory file")
    load.add_argument(
        "--dry-run", action="store_true", help="print what would change and write nothing"
    )
    load.set_defaults(handler=_import)
    dump = actions.add_parser("export", help="write the directory as a YAML or CSV file")
    dump.add_argument("file", type=Path, help="a .yaml, .yml or .csv file to write")
    dump.set_defaults(handler=_export)


def _import(args: argparse.Namespace) -> int:
    from governance_engine.services import directory_file, directory_import
    from governance_engine.services.directory_file import DirectoryFileError

    path: Path = args.file
    try:
        parsed = directory_file.read(path)
        database = open_database()
        try:
            with database.transaction() as session:
                result = directory_import.import_directory(
                    session, parsed=parsed, at=SystemClock().now(), dry_run=args.dry_run
                )
        finally:
            database.dispose()
    except DirectoryFileError as error:
        for problem in error.problems:
            print(f"{path}:{problem.line}: {problem.message}", file=sys.stderr)
        print(f"governance-engine: error: {path}: nothing imported", file=sys.stderr)
        return 1
    for change in result.changes:
        print(change)
    count = len(result.changes)
    if not result.applied:
        print(f"dry run: {count} change(s) would be made; nothing written")
    else:
        print(f"{count} change(s) made" if count else "nothing to change")
    return 0


def _export(args: argparse.Namespace) -> int:
    from governance_engine.services import directory_file, directory_import

    path: Path = args.file
    directory_file.file_format(path)
    database = open_database()
    try:
        with database.reader() as session:
            parsed = directory_import.export_directory(session, at=SystemClock().now())
    finally:
        database.dispose()
    directory_file.write(path, parsed)
    counts = (
        f"{len(parsed.organizations)} organizations, {len(parsed.people)} people, "
        f"{len(parsed.bodies)} bodies, {len(parsed.seats)} seats"
    )
    print(f"wrote {path}: {counts}")
    return 0
