"""The operator's workflow directory: loaded beside the bundled files, replacing by name."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from governance_engine.errors import WorkflowDefinitionError
from governance_engine.lifecycle import load_bundled, load_workflows


def dump(directory: Path, data: dict[str, Any], file: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (file or f"{data['name']}.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_without_a_directory_only_the_bundled_workflows(tmp_path: Path) -> None:
    assert [d.label for d in load_workflows(None)] == [d.label for d in load_bundled()]


def test_operator_files_are_added_and_replace_bundled_ones_by_name(
    tmp_path: Path, mini: dict[str, Any]
) -> None:
    dump(tmp_path, mini)
    [bundled_standard] = [d for d in load_bundled() if d.name == "standard"]
    own_standard = copy.deepcopy(mini)
    own_standard["name"] = "standard"
    own_standard["title"] = "Our own standard track"
    dump(tmp_path, own_standard, "standard.yml")  # .yml is read too

    loaded = {d.name: d for d in load_workflows(tmp_path)}

    assert sorted(loaded) == ["guideline", "mini", "project", "standard"]
    assert loaded["standard"].title == "Our own standard track"
    assert loaded["standard"].digest() != bundled_standard.digest()


def test_a_bad_operator_file_gives_one_line_per_problem(
    tmp_path: Path, mini: dict[str, Any]
) -> None:
    mini["initial"] = "nowhere"
    mini["actions"]["submit"]["roles"] = ["sponsor.chair", "janitor"]
    path = dump(tmp_path, mini)
    with pytest.raises(WorkflowDefinitionError) as raised:
        load_workflows(tmp_path)
    problems = raised.value.problems
    assert (
        f"{path}: initial: unknown state 'nowhere' (known: draft, published, rejected, "
        + ("toc_review)")
        in problems
    )
    roles = f"{path}: actions.submit.roles[1]: unknown role 'janitor'"
    assert any(problem.startswith(roles) for problem in problems)
    assert all(p.startswith(f"{path}: ") and "\n" not in p for p in problems)


def test_a_missing_directory_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(WorkflowDefinitionError) as raised:
        load_workflows(tmp_path / "nope")
    assert raised.value.problems == [
        f"{tmp_path / 'nope'}: no such directory (the operator's workflow directory)"
    ]


def test_an_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkflowDefinitionError) as raised:
        load_workflows(tmp_path)
    assert raised.value.problems == [f"{tmp_path}: no workflow files (*.yaml, *.yml) found"]


def test_one_workflow_in_two_files_is_refused(tmp_path: Path, mini: dict[str, Any]) -> None:
    dump(tmp_path, mini, "mini.yaml")
    dump(tmp_path, mini, "mini.yml")
    with pytest.raises(WorkflowDefinitionError) as raised:
        load_workflows(tmp_path)
    assert raised.value.problems == [
        f"{tmp_path}/mini.yml: name: workflow 'mini' is also defined by {tmp_path}/mini.yaml "
        "(keep one file per workflow)"
    ]
