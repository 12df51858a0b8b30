"""Every voting preset can be used over HTTP: an operator's workflow names it in a ballot
stage, and a chair opens that ballot through the API with the preset frozen into it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from testkit.http import serve_in_process
from testkit.world import World

from governance_engine.voting import PRESETS


def one_vote(preset: str) -> dict[str, Any]:
    """A workflow whose one ballot stage votes under ``preset``."""
    name = f"vote-{preset}"
    return {
        "name": name,
        "version": 1,
        "kind": name,
        "title": f"One vote under {preset}",
        "initial": "draft",
        "approval_requires": ["sponsor"],
        "states": {
            "draft": {},
            "voting": {
                "ballot": {
                    "body": "sponsor",
                    "rule": preset,
                    "outcomes": {"passed": "carry", "failed": "back", "no_quorum": "back"},
                }
            },
            "carried": {"approved": True, "terminal": True},
        },
        "actions": {
            "call": {
                "source": "draft",
                "dest": "voting",
                "roles": ["sponsor.chair"],
                "guards": ["has_revision"],
            },
            "carry": {
                "source": "voting",
                "dest": "carried",
                "roles": ["system"],
                "guards": ["approval_ballots_passed"],
            },
            "back": {"source": "voting", "dest": "draft", "roles": ["system"]},
        },
    }


@pytest.fixture
def charter(tmp_path: Path) -> Path:
    directory = tmp_path / "charter"
    directory.mkdir()
    for preset in PRESETS:
        (directory / f"vote-{preset}.yaml").write_text(
            yaml.safe_dump(one_vote(preset), sort_keys=False), encoding="utf-8"
        )
    return directory


def test_a_ballot_can_be_held_under_every_preset(
    world: World, database_url: str, tmp_path: Path, charter: Path
) -> None:
    with serve_in_process(
        world, database_url, tmp_path / "keys" / "signing.pem", workflows_dir=charter
    ) as api:
        held = {}
        for preset in PRESETS:
            filing = {
                "workflow": f"vote-{preset}",
                "title": f"Under {preset}",
                "sponsor": "wg-trust-validation",
                "text": "# Text\n",
            }
            filed = api.post("/api/v1/proposals", "wendy", json=filing)
            assert filed.status_code == 201, filed.text
            path = f"/api/v1/proposals/{filed.json()['id']}"
            called = api.post(f"{path}/actions/call", "wendy", json={})
            assert called.status_code == 200, called.text
            opened = api.post("/api/v1/ballots", "wendy", json={"proposal_id": filed.json()["id"]})
            assert opened.status_code == 201, opened.text
            ballot = api.get(f"/api/v1/ballots/{opened.json()['id']}", "wendy").json()
            held[preset] = (ballot["rule_name"], ballot["rule"]["name"])
    assert held == {preset: (preset, preset) for preset in PRESETS}
