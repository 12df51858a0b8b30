"""``workflows check --database``: every body a workflow names must exist in the database."""

from __future__ import annotations

from pathlib import Path

import yaml
from testkit.cli import run_cli
from testkit.world import build_world

from governance_engine.persistence.database import Database

IETF_LIKE = {
    "name": "ietf",
    "version": 1,
    "kind": "standard",
    "title": "IETF-like",
    "initial": "draft",
    "approval_requires": ["iesg"],
    "states": {
        "draft": {},
        "iesg_review": {
            "ballot": {
                "body": "iesg",
                "rule": "iesg",
                "outcomes": {"passed": "approve", "failed": "reject", "no_quorum": "reject"},
            }
        },
        "published": {"approved": True, "terminal": True},
        "rejected": {"terminal": True},
    },
    "actions": {
        "submit": {"source": "draft", "dest": "iesg_review", "roles": ["sponsor.chair"]},
        "approve": {"source": "iesg_review", "dest": "published", "roles": ["system"]},
        "reject": {"source": "iesg_review", "dest": "rejected", "roles": ["system", "iab.chair"]},
    },
}


def test_check_database_reports_each_body_the_database_lacks(
    database_url: str, tmp_path: Path
) -> None:
    database = Database(database_url)
    try:
        build_world(database)  # sponsor WGs, a toc and a board: no iesg, no iab
    finally:
        database.dispose()
    bundled = run_cli("workflows", "check", "--database", cwd=tmp_path, database_url=database_url)
    assert bundled.returncode == 0, bundled.stderr
    (tmp_path / "ietf.yaml").write_text(yaml.safe_dump(IETF_LIKE))
    alone = run_cli("workflows", "check", "ietf.yaml", cwd=tmp_path, database_url=database_url)
    assert alone.returncode == 0, alone.stderr  # without --database the file is fine
    checked = run_cli(
        "workflows", "check", "--database", "ietf.yaml", cwd=tmp_path, database_url=database_url
    )
    assert checked.returncode == 1
    assert "Traceback" not in checked.stderr
    assert checked.stderr.strip().splitlines() == [
        "ietf.yaml: approval_requires[0]: no body 'iesg' in the database (create it, or change "
        "the workflow)",
        "ietf.yaml: states.iesg_review.ballot.body: no body 'iesg' in the database (create it, "
        "or change the workflow)",
        "ietf.yaml: actions.reject.roles: iab.chair: no body 'iab' in the database (create it, "
        "or change the workflow)",
    ]
