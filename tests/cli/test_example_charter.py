"""The example charter with the installed console script only: check it, serve it, read it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from testkit.cli import free_port, run_cli
from testkit.server import running_server, serve_env

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ietf-apache" / "workflows"


def test_workflows_check_loads_the_example_beside_the_bundled_ones(tmp_path: Path) -> None:
    by_flag = run_cli("workflows", "check", "--workflows", str(EXAMPLE), cwd=tmp_path)
    by_setting = run_cli(
        "workflows",
        "check",
        cwd=tmp_path,
        extra_env={"GOVERNANCE_WORKFLOWS_DIR": str(EXAMPLE)},
    )
    for result in (by_flag, by_setting):
        assert result.returncode == 0, result.stderr
        for name in ("internet-draft", "release-vote", "project", "standard", "guideline"):
            assert name in result.stdout
    diagram = run_cli(
        "workflows", "diagram", "internet-draft", "--workflows", str(EXAMPLE), cwd=tmp_path
    )
    assert diagram.returncode == 0, diagram.stderr
    assert "stateDiagram-v2" in diagram.stdout
    assert "iesg_evaluation" in diagram.stdout


@pytest.mark.slow
def test_serve_with_the_example_directory_serves_its_workflows(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'charter.db'}"
    env = serve_env(database_url, tmp_path / "keys" / "signing.pem", tick_interval=0)
    with running_server(env, tmp_path, args=("--workflows", str(EXAMPLE))) as server:
        made = run_cli(
            "people",
            "create-admin",
            "--name",
            "Ada Admin",
            "--email",
            "ada@example.org",
            cwd=tmp_path,
            database_url=database_url,
        )
        assert made.returncode == 0, made.stderr
        token = made.stdout.strip().splitlines()[-1]
        response = httpx.get(
            f"{server.url}/api/v1/workflows/internet-draft",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "internet-draft"


def test_serve_refuses_a_bad_operator_file_with_one_line_per_problem(tmp_path: Path) -> None:
    bad = tmp_path / "charter"
    bad.mkdir()
    (bad / "broken.yaml").write_text(
        (EXAMPLE / "release-vote.yaml")
        .read_text(encoding="utf-8")
        .replace("initial: candidate", "initial: nowhere")
        .replace("dest: released", "dest: shipped"),
        encoding="utf-8",
    )
    result = run_cli(
        "serve",
        "--port",
        str(free_port()),
        "--workflows",
        str(bad),
        cwd=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        timeout=30,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if "broken.yaml" in line]
    assert len(problems) >= 2, result.stderr
    assert any("nowhere" in line for line in problems), result.stderr
    assert any("shipped" in line for line in problems), result.stderr
