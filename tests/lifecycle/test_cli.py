"""``workflows check`` and ``workflows diagram``, driven through their own parser."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from governance_engine.cli import _workflows
from governance_engine.errors import NotFound


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="governance-engine")
    _workflows.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    result: int = args.handler(args)
    return result


def test_check_bundled(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("workflows", "check") == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "workflows/guideline.yaml: ok: guideline v2 (kind guideline), 9 states, 12 actions, "
        "2 ballot stages",
        "workflows/project.yaml: ok: project v2 (kind project), 14 states, 21 actions, "
        "6 ballot stages",
        "workflows/standard.yaml: ok: standard v2 (kind standard), 11 states, 16 actions, "
        "4 ballot stages",
    ]
    assert err == ""


def test_check_files_and_directories(
    write: Callable[..., Path],
    mini: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(mini)
    assert run("workflows", "check", str(path), str(tmp_path)) == 0
    out, _ = capsys.readouterr()
    summary = "ok: mini v1 (kind standard), 4 states, 3 actions, 1 ballot stages"
    assert out.splitlines() == [f"{path}: {summary}", f"{tmp_path}/mini.yaml: {summary}"]


def test_check_prints_every_problem_and_fails(
    write: Callable[..., Path],
    mini: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = write(mini)
    mini["name"] = "bad"
    mini["kind"] = "Policy Paper"
    mini["actions"]["submit"]["roles"] = []
    bad = write(mini, name="bad")
    missing = tmp_path / "nowhere.yaml"
    assert run("workflows", "check", str(good), str(bad), str(missing)) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{good}: ok: mini v1 (kind standard), 4 states, 3 actions, 1 ballot stages"
    ]
    assert err.splitlines() == [
        f"{missing}: no such file or directory",
        f"{bad}: kind: invalid kind 'Policy Paper' (use at most 32 lower-case letters, "
        "digits, '_' and '-', starting with a letter)",
        f"{bad}: actions.submit.roles: must name at least one role allowed to fire it",
    ]


def test_check_refuses_two_files_with_one_version(
    write: Callable[..., Path],
    mini: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = write(mini)
    other = tmp_path / "other"
    other.mkdir()
    mini["title"] = "Mini, edited without a new version"
    second = other / "mini.yaml"
    second.write_text(first.read_text().replace("title: Mini", "title: Mini edited"))
    assert run("workflows", "check", str(first), str(second)) == 1
    _, err = capsys.readouterr()
    assert "a changed workflow needs a new version number" in err


def test_check_empty_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("workflows", "check", str(tmp_path)) == 1
    assert capsys.readouterr().err == f"{tmp_path}: no workflow files (*.yaml, *.yml) found\n"


def test_diagram(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("workflows", "diagram", "guideline", "--highlight", "toc_review") == 0
    out = capsys.readouterr().out
    assert "stateDiagram-v2\n" in out
    assert out.endswith("  class toc_review current\n")


def test_diagram_of_a_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("workflows", "diagram", "standard", "--version", "2") == 0
    assert "(standard v2)" in capsys.readouterr().out


def test_diagram_of_unknown_workflow() -> None:
    # The CLI's main turns any GovernanceError into one line on stderr and exit 1.
    with pytest.raises(NotFound, match="no workflow named 'policy'"):
        run("workflows", "diagram", "policy")


def test_subcommand_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run("workflows")
    assert caught.value.code == 2


def test_check_sees_the_operator_directory_as_serve_does(
    write: Callable[..., Path],
    mini: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    directory = write(mini).parent
    mini["name"] = "standard"
    write(mini, name="standard")
    for argv, env in [(["--workflows", str(directory)], None), ([], str(directory))]:
        if env is None:
            monkeypatch.delenv("GOVERNANCE_WORKFLOWS_DIR", raising=False)
        else:
            monkeypatch.setenv("GOVERNANCE_WORKFLOWS_DIR", env)
        assert run("workflows", "check", *argv) == 0
        out, err = capsys.readouterr()
        assert out.splitlines() == [
            f"workflows/standard.yaml: replaced by {directory}/standard.yaml",
            "workflows/guideline.yaml: ok: guideline v2 (kind guideline), 9 states, 12 actions, "
            "2 ballot stages",
            "workflows/project.yaml: ok: project v2 (kind project), 14 states, 21 actions, "
            "6 ballot stages",
            f"{directory}/mini.yaml: ok: mini v1 (kind standard), 4 states, 3 actions, "
            "1 ballot stages",
            f"{directory}/standard.yaml: ok: standard v1 (kind standard), 4 states, 3 actions, "
            "1 ballot stages",
        ]
        assert err == ""


def test_check_with_a_missing_operator_directory_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("workflows", "check", "--workflows", str(tmp_path / "nope")) == 1
    _, err = capsys.readouterr()
    assert err == f"{tmp_path / 'nope'}: no such directory (the operator's workflow directory)\n"


def test_diagram_of_an_operator_workflow(
    write: Callable[..., Path],
    mini: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GOVERNANCE_WORKFLOWS_DIR", raising=False)
    directory = write(mini).parent
    with pytest.raises(NotFound):
        run("workflows", "diagram", "mini")
    assert run("workflows", "diagram", "mini", "--workflows", str(directory)) == 0
    assert "toc_review --> published" in capsys.readouterr().out
    monkeypatch.setenv("GOVERNANCE_WORKFLOWS_DIR", str(directory))
    assert run("workflows", "diagram", "mini") == 0
