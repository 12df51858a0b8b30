"""``governance-engine directory import|export``: onboarding member organizations from a file."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from testkit.cli import run_cli

from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Body, Organization, Person, Seat

ORGANIZATIONS = 50


def _fifty_organizations() -> str:
    lines = ["organizations:"]
    for n in range(ORGANIZATIONS):
        kind = "company" if n % 2 else "university"
        lines += [f"  - name: Member {n:02d}", f"    kind: {kind}"]
        lines += [f"    email_domains: [member{n:02d}.example]"]
    lines.append("people:")
    for n in range(ORGANIZATIONS):
        lines += [
            f"  - name: Delegate {n:02d}",
            f"    email: delegate@member{n:02d}.example",
            f"    organization: Member {n:02d}",
        ]
    lines += ["  - name: Auditor", "    email: audit@example.org", "    is_auditor: true"]
    lines += [
        "bodies:",
        "  - slug: wg-runtime",  # its parent comes further down the file
        "    name: Runtime Working Group",
        "    kind: working_group",
        "    parent: toc",
        "  - slug: toc",
        "    name: Technical Oversight Committee",
        "    kind: toc",
        "    description: Decides technical direction",
        "seats:",
    ]
    for n in range(ORGANIZATIONS):
        role = "chair" if n == 0 else "member"
        lines += [
            "  - body: toc",
            f"    person: delegate@member{n:02d}.example",
            f"    role: {role}",
            "    term_start: 2026-01-01T00:00:00Z",
        ]
    lines += [
        "  - body: wg-runtime",
        "    person: delegate@member01.example",
        "    role: observer",
        "    voting: false",
    ]
    return "\n".join(lines) + "\n"


def _counts(url: str) -> tuple[int, int, int, int, int]:
    database = Database(url)
    try:
        with database.reader() as session:
            counted = tuple(
                session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Organization, Person, Body, Seat)
            )
            return (*counted, log_writer.head(session))  # type: ignore[return-value]
    finally:
        database.dispose()


def _ok(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_fifty_organizations_import_once_and_a_second_run_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "members.yaml"
    path.write_text(_fifty_organizations())
    before = _counts(database_url)

    lines = _ok(run_cli("directory", "import", str(path), cwd=tmp_path, database_url=database_url))

    after = _counts(database_url)
    assert after[:4] == (
        before[0] + ORGANIZATIONS,
        before[1] + ORGANIZATIONS + 1,
        before[2] + 2,
        before[3] + ORGANIZATIONS + 1,
    )
    # organizations, their domains, people, bodies, the deferred parent, seats: one entry each
    changes = 2 * ORGANIZATIONS + (ORGANIZATIONS + 1) + 2 + 1 + (ORGANIZATIONS + 1)
    assert after[4] == before[4] + changes
    assert lines[-1] == f"{changes} change(s) made"
    assert "set parent of wg-runtime: toc" in lines
    assert "grant non-voting observer seat on wg-runtime to delegate@member01.example" in lines

    again = _ok(run_cli("directory", "import", str(path), cwd=tmp_path, database_url=database_url))
    assert again == ["nothing to change"]
    assert _counts(database_url) == after  # no new rows, no new log entries


def test_dry_run_prints_each_change_and_writes_nothing(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "members.yaml"
    path.write_text(_fifty_organizations())
    before = _counts(database_url)

    lines = _ok(
        run_cli(
            "directory", "import", "--dry-run", str(path), cwd=tmp_path, database_url=database_url
        )
    )

    assert _counts(database_url) == before
    changes = lines[:-1]
    assert lines[-1] == f"dry run: {len(changes)} change(s) would be made; nothing written"
    assert "create organization Member 07 (company)" in changes
    assert "set e-mail domains of Member 07: member07.example" in changes
    applied = _ok(
        run_cli("directory", "import", str(path), cwd=tmp_path, database_url=database_url)
    )
    assert applied[:-1] == changes  # the dry run announced exactly what the import then did


BAD_YAML = """\
organizations:
  - name: Good Co
    kind: company
  - name: Castle Inc
    kind: castle
people:
  - name: Good Person
    email: good@good.example
    organization: Good Co
  - name: Nowhere Person
    email: nowhere@x.example
    organization: Nowhere Ltd
  - name: Typo
    email: typo@good.example
    colour: blue
bodies:
  - slug: Not A Slug
    name: Bad
    kind: board
seats:
  - body: missing-body
    person: good@good.example
    role: member
  - body: missing-body
    person: good@good.example
    role: member
"""


def test_bad_yaml_items_are_named_by_line_and_nothing_is_applied(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_YAML)
    before = _counts(database_url)

    result = run_cli("directory", "import", str(path), cwd=tmp_path, database_url=database_url)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problems = result.stderr.strip().splitlines()
    assert [line.split(": ", 1)[0] for line in problems] == [
        f"{path}:4",
        f"{path}:10",
        f"{path}:13",
        f"{path}:17",
        f"{path}:21",
        f"{path}:24",
        "governance-engine",
    ]
    assert "castle" in problems[0]
    assert "Nowhere Ltd" in problems[1]
    assert "'colour'" in problems[2]
    assert "Not A Slug" in problems[3]
    assert "missing-body" in problems[4]
    assert "also on line 21" in problems[5]
    assert problems[-1].endswith("nothing imported")
    assert _counts(database_url) == before  # the good rows were not applied either


def test_csv_imports_reports_bad_rows_by_number_and_is_idempotent(
    database_url: str, tmp_path: Path
) -> None:
    rows = [
        "record,name,kind,email_domains,email,organization,is_admin,slug,body,person,role",
        "organization,Acme,company,acme.example acme.test,,,,,,,",
        "person,Ada,,,ada@acme.example,Acme,yes,,,,",
        "body,Board,board,,,,,board,,,",
        "seat,,,,,,,,board,ada@acme.example,chair",
    ]
    path = tmp_path / "members.csv"
    path.write_text("\n".join([*rows, "seat,,,,,,,,board,ada@acme.example,emperor"]) + "\n")
    before = _counts(database_url)
    bad = run_cli("directory", "import", str(path), cwd=tmp_path, database_url=database_url)
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0].startswith(f"{path}:6: role must be one of")
    assert _counts(database_url) == before

    path.write_text("\n".join(rows) + "\n")
    lines = _ok(run_cli("directory", "import", str(path), cwd=tmp_path, database_url=database_url))
    assert lines == [
        "create organization Acme (company)",
        "set e-mail domains of Acme: acme.example, acme.test",
        "create person Ada <ada@acme.example> of Acme (admin)",
        "create body board (board): Board",
        "grant chair seat on board to ada@acme.example",
        "5 change(s) made",
    ]
    again = _ok(run_cli("directory", "import", str(path), cwd=tmp_path, database_url=database_url))
    assert again == ["nothing to change"]


@pytest.mark.parametrize("suffix", ["yaml", "csv"])
def test_export_then_import_into_an_empty_database_exports_the_same_file(
    suffix: str, database_url: str, empty_database_url: str, tmp_path: Path
) -> None:
    source = tmp_path / "members.yaml"
    source.write_text(_fifty_organizations())
    _ok(run_cli("directory", "import", str(source), cwd=tmp_path, database_url=database_url))
    first, second = tmp_path / f"first.{suffix}", tmp_path / f"second.{suffix}"
    wrote = _ok(run_cli("directory", "export", str(first), cwd=tmp_path, database_url=database_url))
    assert wrote[0].endswith(f"{ORGANIZATIONS} organizations, 51 people, 2 bodies, 51 seats")

    _ok(run_cli("db", "upgrade", cwd=tmp_path, database_url=empty_database_url))
    _ok(run_cli("directory", "import", str(first), cwd=tmp_path, database_url=empty_database_url))
    _ok(run_cli("directory", "export", str(second), cwd=tmp_path, database_url=empty_database_url))

    assert second.read_text() == first.read_text()
    if suffix == "csv":
        records = [row["record"] for row in csv.DictReader(first.read_text().splitlines())]
        assert records.count("organization") == ORGANIZATIONS


def test_a_file_of_another_kind_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "members.json"
    path.write_text("{}")
    result = run_cli("directory", "import", str(path), cwd=tmp_path, database_url="sqlite://")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "governance-engine: error: members.json: a directory file ends in .yaml, .yml or .csv"
    ]


def test_a_file_that_is_not_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "members.yaml"
    path.write_text("organizations:\n  - name: Acme\n    kind: [company\n")
    result = run_cli("directory", "import", str(path), cwd=tmp_path, database_url="sqlite://")
    assert result.returncode == 1
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith(f"{path}:4: not valid YAML")
