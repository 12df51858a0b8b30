"""``governance-engine workflows check|diagram``: validate and draw lifecycle definitions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from governance_engine.cli._common import open_database
from governance_engine.config import WORKFLOWS_DIR_VARIABLE, workflows_dir
from governance_engine.errors import WorkflowDefinitionError

if TYPE_CHECKING:
    from governance_engine.lifecycle import WorkflowDefinition

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
        help="workflow files or directories of *.yaml/*.yml files, checked on their own "
        "(default: the workflows serve loads: the bundled ones and the operator's)",
    )
    _workflows_option(check)
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
        description="Print a workflow (bundled, or the operator's) as a Mermaid stateDiagram-v2.",
    )
    diagram.add_argument("name", metavar="NAME", help="workflow name, e.g. standard")
    diagram.add_argument(
        "--version", type=int, metavar="N", help="workflow version (default: the latest)"
    )
    diagram.add_argument("--highlight", metavar="STATE", help="mark one state, e.g. toc_review")
    _workflows_option(diagram)
    diagram.set_defaults(handler=diagram_command)


def _workflows_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workflows",
        metavar="DIR",
        type=Path,
        help="the operator's workflow directory, as for serve: its files are loaded beside the "
        f"bundled ones and replace those of the same name (default: ${WORKFLOWS_DIR_VARIABLE})",
    )


def _operator_dir(args: argparse.Namespace) -> Path | None:
    return args.workflows if args.workflows is not None else workflows_dir()


def check_command(args: argparse.Namespace) -> int:
    from governance_engine.lifecycle import WorkflowRegistry, load_workflow

    if args.paths:
        files, problems = _files_to_check(args.paths)
    else:
        files, problems = _catalog_files(_operator_dir(args))
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
    from governance_engine.services import body_refs

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
    from governance_engine.lifecycle import WorkflowRegistry, load_workflows, to_mermaid

    registry = WorkflowRegistry.from_definitions(load_workflows(_operator_dir(args)))
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


def _catalog_files(
    operator: Path | None,
) -> tuple[list[tuple[Traversable, str]], list[str]]:
    """The files ``serve`` loads: the bundled ones not replaced, then the operator's."""
    from governance_engine.lifecycle.loader import (
        BUNDLED_SOURCE,
        bundled_workflows_path,
        workflow_files,
        workflow_stem,
    )

    bundled = [
        (file, f"{BUNDLED_SOURCE}/{file.name}") for file in workflow_files(bundled_workflows_path())
    ]
    if operator is None:
        return bundled, []
    if not operator.is_dir():
        problem = "no such directory" if not operator.exists() else "not a directory"
        return bundled, [f"{operator}: {problem} (the operator's workflow directory)"]
    own, problems = _files_to_check([str(operator)])
    replaced: dict[str, str] = {}
    for file, source in own:
        name = workflow_stem(file.name)
        if name in replaced:
            problems.append(
                f"{source}: name: workflow {name!r} is also defined by {replaced[name]} "
                "(keep one file per workflow)"
            )
        replaced.setdefault(name, source)
    kept = []
    for file, source in bundled:
        by = replaced.get(workflow_stem(file.name))
        if by is None:
            kept.append((file, source))
        else:
            print(f"{source}: replaced by {by}")
    return kept + own, problems


def _files_to_check(paths: list[str]) -> tuple[list[tuple[Traversable, str]], list[str]]:
    """(file, name used in messages) pairs, and problems with the paths themselves."""
    from governance_engine.lifecycle.loader import workflow_files

    files: list[tuple[Traversable, str]] = []
    problems: list[str] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = workflow_files(path)
            if not found:
                problems.append(f"{text}: no workflow files (*.yaml, *.yml) found")
            prefix = text.rstrip("/")
            files.extend((file, f"{prefix}/{file.name}") for file in found)
        elif path.is_file():
            files.append((path, text))
        else:
            problems.append(f"{text}: no such file or directory")
    return files, problems
