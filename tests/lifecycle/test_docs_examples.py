"""The complete examples of docs/workflows.md are valid workflow files, as printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from governance_engine.lifecycle import WorkflowRegistry, load_workflow

DOC = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"


def examples() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)
    complete = [block for block in blocks if block.startswith("name: ")]
    return {re.match(r"name: (\S+)", block)[1]: block for block in complete}  # type: ignore[index]


def test_the_reference_has_two_complete_examples() -> None:
    assert sorted(examples()) == ["charter_motion", "release"]


@pytest.mark.parametrize("name", ["charter_motion", "release"])
def test_each_example_loads_and_builds_its_machine(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(examples()[name], encoding="utf-8")
    definition = load_workflow(path)
    assert definition.name == name
    assert len(WorkflowRegistry.from_definitions([definition])) == 1


def test_the_release_example_reads_yes_and_no_as_choices(tmp_path: Path) -> None:
    path = tmp_path / "release.yaml"
    path.write_text(examples()["release"], encoding="utf-8")
    stage = load_workflow(path).states["release_vote"].ballot
    assert stage is not None
    assert stage.rule.choices == ("yes", "no", "abstain")
    assert stage.rule.label("yes") == "+1 (binding)"
    assert stage.rule.support == ("yes",)
