"""The app runs the operator's workflows from ``GOVERNANCE_WORKFLOWS_DIR`` (its settings)."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from testkit.http import serve_in_process
from testkit.world import World

from governance_engine.lifecycle import load_bundled


def test_the_app_lists_and_draws_the_operator_workflows(
    world: World, database_url: str, tmp_path: Path
) -> None:
    [standard] = [d.to_dict() for d in load_bundled() if d.name == "standard"]
    own = copy.deepcopy(standard)
    own["version"] = 7
    own["title"] = "Our standards track"
    directory = tmp_path / "charter"
    directory.mkdir()
    (directory / "standard.yml").write_text(yaml.safe_dump(own), encoding="utf-8")

    with serve_in_process(
        world, database_url, tmp_path / "key.pem", workflows_dir=directory
    ) as api:
        listed = api.get("/api/v1/workflows", "nobody").json()
        shown = api.get("/api/v1/workflows/standard", "nobody").json()

    bundled = {d.name: d.version for d in load_bundled()}
    assert [(w["name"], w["version"]) for w in listed] == [
        ("guideline", bundled["guideline"]),
        ("project", bundled["project"]),
        ("standard", 7),  # the operator's file replaces the bundled one
    ]
    assert (shown["version"], shown["title"]) == (7, "Our standards track")
