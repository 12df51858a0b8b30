"""``serve`` and ``workflows check`` with the operator's workflow directory, run as a user would."""

from __future__ import annotations

import copy
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from testkit.cli import console_script, free_port, run_cli

OWN: dict[str, Any] = {
    "name": "charter_motion",
    "version": 1,
    "kind": "motion",
    "title": "Charter motion",
    "initial": "draft",
    "approval_requires": ["toc"],
    "states": {
        "draft": {},
        "toc_vote": {
            "ballot": {
                "body": "toc",
                "rule": "simple-majority",
                "outcomes": {"passed": "adopt", "failed": "drop", "no_quorum": "drop"},
            }
        },
        "adopted": {"approved": True, "terminal": True},
        "dropped": {"terminal": True},
    },
    "actions": {
        "move": {"source": "draft", "dest": "toc_vote", "roles": ["sponsor.chair"]},
        "adopt": {"source": "toc_vote", "dest": "adopted", "roles": ["system"]},
        "drop": {"source": "toc_vote", "dest": "dropped", "roles": ["system"]},
    },
}


def write_dir(directory: Path, *workflows: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for data in workflows:
        text = yaml.safe_dump(data, sort_keys=False)
        (directory / f"{data['name']}.yaml").write_text(text, encoding="utf-8")
    return directory


def bad_dir(tmp_path: Path) -> Path:
    bad = copy.deepcopy(OWN)
    bad["initial"] = "nowhere"
    bad["states"]["toc_vote"]["ballot"]["rule"] = "no-such-rule"
    del bad["actions"]["drop"]
    return write_dir(tmp_path / "charter", bad)


def assert_problem_lines(stderr: str, directory: Path) -> None:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) >= 3
    prefix = f"governance-engine: error: {directory}/charter_motion.yaml: "
    assert all(line.startswith(prefix) for line in lines), lines
    keys = [line[len(prefix) :].split(":")[0] for line in lines]
    assert "initial" in keys
    assert "states.toc_vote.ballot.rule" in keys
    assert "states.toc_vote.ballot.outcomes.failed" in keys


def test_serve_refuses_a_bad_operator_file_with_one_line_per_problem(tmp_path: Path) -> None:
    directory = bad_dir(tmp_path)
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    result = run_cli("serve", "--workflows", str(directory), cwd=tmp_path, database_url=url)
    assert result.returncode == 1
    assert_problem_lines(result.stderr, directory)
    assert not (tmp_path / "governance.db").exists()  # stopped before touching the database


def test_the_setting_is_read_by_serve_and_check(tmp_path: Path) -> None:
    directory = bad_dir(tmp_path)
    env = {"GOVERNANCE_WORKFLOWS_DIR": str(directory)}
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    served = run_cli("serve", cwd=tmp_path, database_url=url, extra_env=env)
    assert served.returncode == 1
    assert_problem_lines(served.stderr, directory)
    checked = run_cli("workflows", "check", cwd=tmp_path, extra_env=env)
    assert checked.returncode == 1
    assert "Traceback" not in checked.stderr
    assert f"{directory}/charter_motion.yaml: initial: unknown state 'nowhere'" in checked.stderr


def test_serve_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = run_cli("serve", "--workflows", str(tmp_path / "nope"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"governance-engine: error: {tmp_path / 'nope'}: no such directory "
        "(the operator's workflow directory)\n"
    )


@pytest.mark.slow
def test_serve_runs_the_operator_workflows(tmp_path: Path) -> None:
    directory = write_dir(tmp_path / "charter", OWN)
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    assert run_cli("db", "upgrade", cwd=tmp_path, database_url=url).returncode == 0
    admin = run_cli(
        "people",
        "create-admin",
        "--name",
        "Ada",
        "--email",
        "ada@example.org",
        cwd=tmp_path,
        database_url=url,
    )
    token = admin.stdout.strip().splitlines()[-1]
    port = free_port()
    with (tmp_path / "serve.log").open("w") as output:
        process = subprocess.Popen(
            [console_script(), "serve", "--port", str(port), "--workflows", str(directory)],
            cwd=tmp_path,
            env={
                "PATH": "/usr/bin:/bin",
                "GOVERNANCE_TICK_INTERVAL": "0",
                "GOVERNANCE_DATABASE_URL": url,
            },
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        listed = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                listed = httpx.get(
                    f"http://127.0.0.1:{port}/api/v1/workflows",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=2,
                )
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert listed is not None, (tmp_path / "serve.log").read_text()
        assert listed.status_code == 200
        names = {(w["name"], w["kind"]) for w in listed.json()}
        assert ("charter_motion", "motion") in names
        assert ("standard", "standard") in names
    finally:
        process.terminate()
        process.wait(timeout=15)
