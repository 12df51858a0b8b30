"""Reading workflow files (``*.yaml``, ``*.yml``): the only I/O the lifecycle package does.

Files are YAML 1.2 (core schema, read with ruamel.yaml): ``yes``, ``no``, ``on`` and ``off``
are strings, as in JSON. YAML silently keeps the last of two equal keys, so a second
``submit:`` action would replace the first without a word. The loader composes the node tree
first and reports duplicate keys with their lines, then validates the data; every problem of
every file comes back at once.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle._parse import Problems, join, parse_definition
from governance_engine.lifecycle.definition import WorkflowDefinition

SUFFIXES = (".yaml", ".yml")
BUNDLED_SOURCE = "workflows"
"""How messages name the bundled directory (it is ``workflows/`` in the repository)."""


def parse_workflow(data: Any, source: str) -> WorkflowDefinition:
    """Validate plain data; when ``source`` names a YAML file, ``name`` must be its stem."""
    stem = workflow_stem(source) if source.endswith(SUFFIXES) else None
    return parse_definition(data, source, stem)


def load_workflow(path: Path | Traversable, source: str | None = None) -> WorkflowDefinition:
    """Read and validate one file; ``source`` is how messages name it (default: the path)."""
    source = str(path) if source is None else source
    problems = Problems(source)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.add("", f"cannot read the file: {error}")
        raise WorkflowDefinitionError(problems.lines) from None
    data = _read_yaml(problems, text)
    if data is _UNREADABLE:
        raise WorkflowDefinitionError(problems.lines)
    try:
        definition = parse_definition(data, source, workflow_stem(path.name))
    except WorkflowDefinitionError as error:
        raise WorkflowDefinitionError(problems.lines + error.problems) from None
    if problems.lines:
        raise WorkflowDefinitionError(problems.lines)
    return definition


def load_directory(path: Path | Traversable, source: str | None = None) -> list[WorkflowDefinition]:
    """Every ``*.yaml`` and ``*.yml`` file of a directory, by file name; problems are gathered
    over all files."""
    prefix = str(path).rstrip("/") if source is None else source
    files = workflow_files(path)
    if not files:
        raise WorkflowDefinitionError([f"{prefix}: no workflow files (*.yaml, *.yml) found"])
    definitions: list[WorkflowDefinition] = []
    problems: list[str] = []
    for file in files:
        try:
            definitions.append(load_workflow(file, f"{prefix}/{file.name}"))
        except WorkflowDefinitionError as error:
            problems.extend(error.problems)
    problems.extend(_same_name_twice(files, prefix))
    if problems:
        raise WorkflowDefinitionError(problems)
    return definitions


def _same_name_twice(files: list[Traversable], prefix: str) -> list[str]:
    """``a.yaml`` and ``a.yml`` in one directory would both define workflow ``a``."""
    by_stem: dict[str, list[str]] = {}
    for file in files:
        by_stem.setdefault(workflow_stem(file.name), []).append(file.name)
    return [
        f"{prefix}/{names[1]}: name: workflow {stem!r} is also defined by {prefix}/{names[0]} "
        "(keep one file per workflow)"
        for stem, names in by_stem.items()
        if len(names) > 1
    ]


def workflow_files(path: Path | Traversable) -> list[Traversable]:
    """The workflow files of a directory, sorted by name."""
    entries: Iterable[Traversable] = path.iterdir()
    return sorted(
        (entry for entry in entries if entry.name.endswith(SUFFIXES) and entry.is_file()),
        key=lambda entry: entry.name,
    )


def bundled_workflows_path() -> Traversable:
    """The workflows shipped with the package (the repository's top-level ``workflows/``)."""
    try:
        return importlib.resources.files("governance_engine.workflows")
    except ModuleNotFoundError:  # running from a checkout that is not installed
        return Path(__file__).resolve().parents[2] / "workflows"


def load_bundled() -> list[WorkflowDefinition]:
    """The bundled workflows, named ``workflows/<file>`` in messages."""
    return load_directory(bundled_workflows_path(), BUNDLED_SOURCE)


def load_operator(path: Path) -> list[WorkflowDefinition]:
    """The operator's workflow files (``GOVERNANCE_WORKFLOWS_DIR``, ``serve --workflows``)."""
    if not path.is_dir():
        problem = "no such directory" if not path.exists() else "not a directory"
        raise WorkflowDefinitionError([f"{path}: {problem} (the operator's workflow directory)"])
    return load_directory(path)


def load_workflows(workflows_dir: Path | None = None) -> list[WorkflowDefinition]:
    """The workflows a service runs: the bundled ones and, from ``workflows_dir``, the
    operator's; an operator file replaces the bundled workflow of the same ``name``."""
    bundled = load_bundled()
    if workflows_dir is None:
        return bundled
    operator = load_operator(workflows_dir)
    replaced = {definition.name for definition in operator}
    return [*(d for d in bundled if d.name not in replaced), *operator]


def workflow_stem(name: str) -> str:
    """The workflow name a file must declare: its name without directory and suffix."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    for suffix in SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


_UNREADABLE: Any = object()


def _read_yaml(problems: Problems, text: str) -> Any:
    """The YAML 1.2 data of ``text``; duplicate keys are problems, a syntax error ends reading.

    YAML 1.2's core schema (ruamel.yaml) reads ``yes``, ``no``, ``on`` and ``off`` as the
    strings they are, so ``support: [yes]`` names the choice ``yes``, not ``true``.
    """
    yaml = YAML(typ="safe", pure=True)
    try:
        node = yaml.compose(text)
        if node is None:
            return None
        _check_duplicates(problems, node, "", set())
        yaml.constructor.allow_duplicate_keys = True  # already reported, with their lines
        return yaml.constructor.construct_document(node)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(part for part in (error.context, error.problem) if part)
        problems.add(where, f"invalid YAML: {what}")
    except YAMLError as error:
        problems.add("", f"invalid YAML: {error}")
    return _UNREADABLE


def _check_duplicates(problems: Problems, node: Node, path: str, seen: set[int]) -> None:
    if id(node) in seen:  # an alias back to a node already walked
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        first_line: dict[tuple[str | None, str], int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            key = (key_node.tag, key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_line:
                problems.add(
                    join(path, key_node.value),
                    f"duplicate key (first on line {first_line[key]}, again on line {line})",
                )
            else:
                first_line[key] = line
            _check_duplicates(problems, value_node, join(path, key_node.value), seen)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _check_duplicates(problems, item, join(path, index), seen)
