"""``governance-engine workflows check|diagram``: validate and draw lifecycle definitions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from importlib.resources.abc import Traversable
from pathlib import Path

from governance_engine.cli._common import open_database
from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import (
    WorkflowDefinition,
    WorkflowRegistry,
    load_bundled,
    load_workflow,
    to_mermaid,
)
from governance_engine.lifecycle.loader import (
    BUNDLED_SOURCE,
    bundled_workflows_path,
    workflow_files,
)
from governance_engine.services import body_refs

EXIT_OK = 0
EXIT_INVALID = 1


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser(
        "workflows",
        help="check and draw the lifecycle definitions",
        description="Validate workflow YAML files and draw them as Mermaid state diagrams.",
    )
    actions = group.add_subparsers(dest="workflows_command", metavar="COMMAND", required=True)

    check = actions.add_parser(
        "check",
        help="validate workflow files",
        description=(
            "Validate workflow files and print one line per valid file; print every problem "
            "(file, key, what is wrong) to stderr and exit 1 if any file is invalid."
        ),
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="workflow files or directories of *.yaml files (default: the bundled workflows)",
    )
    check.add_argument(
        "--database",
        action="store_true",
        help="also report every body a workflow names that the database (GOVERNANCE_DATABASE_URL) "
        "does not have",
    )
    check.set_defaults(handler=check_command)

    diagram = actions.add_parser(
        "diagram",
        help="print a workflow as a Mermaid state diagram",
        description="Print a bundled workflow as a Mermaid stateDiagram-v2.",
    )
    diagram.add_argument("name", metavar="NAME", help="workflow name, e.g. standard")
    diagram.add_argument(
        "--version", type=int, metavar="N", help="workflow version (default: the latest)"
    )
    diagram.add_argument("--highlight", metavar="STATE", help="mark one state, e.g. toc_review")
    diagram.set_defaults(handler=diagram_command)


def check_command(args: argparse.Namespace) -> int:
    files, problems = _files_to_check(args.paths)
    definitions: list[WorkflowDefinition] = []
    sources: list[str] = []
    for file, source in files:
        try:
            definition = load_workflow(file, source)
        except WorkflowDefinitionError as error:
            problems.extend(error.problems)
            continue
        definitions.append(definition)
        sources.append(source)
        print(f"{source}: ok: {_summary(definition)}")
    try:  # the same name and version in two places must be the same workflow
        WorkflowRegistry.from_definitions(definitions)
    except WorkflowDefinitionError as error:
        problems.extend(error.problems)
    if getattr(args, "database", False):
        problems.extend(_missing_bodies(zip(sources, definitions, strict=True)))
    for line in problems:
        print(line, file=sys.stderr)
    return EXIT_INVALID if problems else EXIT_OK


def _missing_bodies(checked: Iterable[tuple[str, WorkflowDefinition]]) -> list[str]:
    """One line per body reference that resolves to no body in the configured database."""
    database = open_database()
    try:
        with database.reader() as session:
            return [
                f"{source}: {where}: no body {ref!r} in the database (create it, or change "
                "the workflow)"
                for source, definition in checked
                for ref, where in body_refs.missing(session, definition)
            ]
    finally:
        database.dispose()


def diagram_command(args: argparse.Namespace) -> int:
    registry = WorkflowRegistry.from_definitions(load_bundled())
    if args.version is None:
        machine = registry.latest(args.name)
    else:
        machine = registry.get(args.name, args.version)
    print(to_mermaid(machine.definition, highlight=args.highlight), end="")
    return EXIT_OK


def _summary(definition: WorkflowDefinition) -> str:
    return (
        f"{definition.label} (kind {definition.kind}), {len(definition.states)} states, "
        f"{len(definition.actions)} actions, {len(definition.ballot_stages())} ballot stages"
    )


def _files_to_check(paths: list[str]) -> tuple[list[tuple[Traversable, str]], list[str]]:
    """(file, name used in messages) pairs, and problems with the paths themselves."""
    if not paths:
        bundled = bundled_workflows_path()
        return [(file, f"{BUNDLED_SOURCE}/{file.name}") for file in workflow_files(bundled)], []
    files: list[tuple[Traversable, str]] = []
    problems: list[str] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = workflow_files(path)
            if not found:
                problems.append(f"{text}: no workflow files (*.yaml) found")
            prefix = text.rstrip("/")
            files.extend((file, f"{prefix}/{file.name}") for file in found)
        elif path.is_file():
            files.append((path, text))
        else:
            problems.append(f"{text}: no such file or directory")
    return files, problems
