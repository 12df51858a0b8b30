"""``governance-engine log replay``: exit 0 and a summary when clean, exit 1 and each difference."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from testkit.cli import run_cli
from testkit.drive import WG, file, pass_ballot, take
from testkit.world import build_world

from governance_engine.persistence.database import Database


def test_replay_is_clean_then_names_a_tampered_vote(database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    try:
        world = build_world(database)
        proposal_id = file(world, text="# Spec\n")
        take(world, proposal_id, "submit", "wendy")
        ballot_id = pass_ballot(world, proposal_id, "wendy", WG).ballot.id
        wade = world.person_ids["wade"]
    finally:
        database.dispose()

    clean = run_cli("log", "replay", cwd=tmp_path, database_url=database_url)
    assert clean.returncode == 0, clean.stderr
    assert clean.stderr == ""
    [summary] = clean.stdout.strip().splitlines()
    assert summary.startswith("replay clean: the tables match the log (")
    assert "1 proposal, 1 revision, 1 ballot (5 electors), 5 votes, 1 decision" in summary
    assert "1 closed ballot recomputed" in summary

    database = Database(database_url)
    try:
        with database.transaction() as session:
            session.execute(
                text("UPDATE votes SET choice = 'no' WHERE ballot_id = :b AND voter_id = :v"),
                {"b": ballot_id, "v": wade},
            )
    finally:
        database.dispose()

    tampered = run_cli("log", "replay", cwd=tmp_path, database_url=database_url)
    assert tampered.returncode == 1
    assert tampered.stdout == ""
    assert "Traceback" not in tampered.stderr
    difference, summary = tampered.stderr.strip().splitlines()
    assert (
        difference == f"votes[ballot_id={ballot_id} voter_id={wade}] choice: log 'yes', table 'no'"
    )
    assert summary.startswith("replay found 1 difference (")


def test_replay_has_help(tmp_path: Path) -> None:
    result = run_cli("log", "replay", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "recompute every closed ballot's outcome from its frozen rule" in " ".join(
        result.stdout.split()
    )
