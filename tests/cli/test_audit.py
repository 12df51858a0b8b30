"""An auditor proves, from published files alone, that entries are in the log and it only grew."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from testkit.cli import run_cli
from testkit.drive import file, open_ballot, take, vote
from testkit.world import World, build_world

from governance_engine.persistence.database import Database

pytestmark = pytest.mark.slow


def activity(world: World, title: str) -> None:
    proposal_id = file(world, title=title, text=f"# {title}\n")
    take(world, proposal_id, "submit", "wendy")
    ballot_id = open_ballot(world, proposal_id, "wendy")
    vote(world, ballot_id, "will", "yes")


def test_export_checkpoints_and_proofs_verify_without_the_database(
    database_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "keys" / "signing.pem"
    env = {"GOVERNANCE_SIGNING_KEY": str(key)}

    def cli(*args: str, check: bool = True) -> str:
        result = run_cli(*args, cwd=tmp_path, database_url=database_url, extra_env=env)
        if check:
            assert result.returncode == 0, result.stderr
        return result.stdout

    database = Database(database_url)
    try:
        world = build_world(database)
        activity(world, "Model cards")
        (tmp_path / "old.json").write_text(cli("log", "checkpoint", "--json"))
        activity(world, "Dataset provenance")
        (tmp_path / "new.note").write_text(cli("log", "checkpoint"))  # a C2SP signed note
    finally:
        database.dispose()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600  # made on first use, owner only
    old = json.loads((tmp_path / "old.json").read_text())
    new_note = (tmp_path / "new.note").read_text()
    new = json.loads(cli("log", "checkpoint", "--json"))  # unchanged log: the same checkpoint
    assert new["signed_note"] == new_note
    assert cli("log", "checkpoint") == new_note
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert 0 < old["tree_size"] < new["tree_size"]
    assert new_note.startswith(f"governance-engine decision log\n{new['tree_size']}\n")

    vkey = cli("log", "public-key")
    assert vkey.startswith("governance-engine+")
    (tmp_path / "key.vkey").write_text(vkey)
    (tmp_path / "key.pem").write_text(cli("log", "public-key", "--pem"))
    cli("log", "export", "--format", "jsonl", "--output", str(tmp_path / "log.jsonl"))
    seq = old["tree_size"] - 1
    (tmp_path / "inclusion.json").write_text(
        cli("log", "prove", "inclusion", "--seq", str(seq), "--tree-size", str(new["tree_size"]))
    )
    (tmp_path / "consistency.json").write_text(
        cli(
            "log",
            "prove",
            "consistency",
            "--first",
            str(old["tree_size"]),
            "--second",
            str(new["tree_size"]),
        )
    )

    # From here on, only files: no database at all.
    offline = tmp_path / "offline"
    offline.mkdir()

    def check(*args: str) -> tuple[int, str, str]:
        result = run_cli(*args, cwd=offline, database_url="sqlite:////nonexistent/none.db")
        assert "Traceback" not in result.stderr
        return result.returncode, result.stdout, result.stderr

    files = {
        name: str(tmp_path / name)
        for name in (
            "key.pem",
            "log.jsonl",
            "old.json",
            "new.json",
            "inclusion.json",
            "consistency.json",
        )
    }
    code, out, _ = check(
        "log",
        "verify-export",
        "--export",
        files["log.jsonl"],
        "--public-key",
        files["key.pem"],
        "--checkpoint",
        files["old.json"],
        "--checkpoint",
        files["new.json"],
    )
    assert code == 0
    assert f"checkpoint of size {old['tree_size']}: root matches" in out
    assert f"checkpoint of size {new['tree_size']}: root matches" in out
    # the same with the signed note and the verifier key printed by `log public-key`
    code, out, _ = check(
        "log",
        "verify-export",
        "--export",
        files["log.jsonl"],
        "--public-key",
        str(tmp_path / "key.vkey"),
        "--checkpoint",
        str(tmp_path / "new.note"),
    )
    assert code == 0
    assert f"checkpoint of size {new['tree_size']}: root matches" in out
    code, out, _ = check(
        "log",
        "verify-proof",
        "inclusion",
        "--proof",
        files["inclusion.json"],
        "--checkpoint",
        files["new.json"],
        "--public-key",
        files["key.pem"],
    )
    assert (code, f"entry {seq} is in the log" in out) == (0, True)
    code, out, _ = check(
        "log",
        "verify-proof",
        "consistency",
        "--proof",
        files["consistency.json"],
        "--old-checkpoint",
        files["old.json"],
        "--checkpoint",
        files["new.json"],
        "--public-key",
        files["key.pem"],
    )
    assert (code, "extends" in out) == (0, True)

    # Tampering with any of the files is caught.
    lines = Path(files["log.jsonl"]).read_text().splitlines()
    forged = json.loads(lines[2])
    forged["payload"]["name"] = "Someone Else"
    lines[2] = json.dumps(forged)
    (tmp_path / "forged.jsonl").write_text("\n".join(lines) + "\n")
    code, _, err = check(
        "log",
        "verify-export",
        "--export",
        str(tmp_path / "forged.jsonl"),
        "--public-key",
        files["key.pem"],
        "--checkpoint",
        files["new.json"],
    )
    assert (code, "entry 3" in err) == (1, True)

    proof = json.loads(Path(files["inclusion.json"]).read_text())
    proof["entry"]["action"] = "vote.changed"
    (tmp_path / "bad-inclusion.json").write_text(json.dumps(proof))
    code, _, _ = check(
        "log",
        "verify-proof",
        "inclusion",
        "--proof",
        str(tmp_path / "bad-inclusion.json"),
        "--checkpoint",
        files["new.json"],
        "--public-key",
        files["key.pem"],
    )
    assert code == 1

    rewritten = dict(new, root_hash="00" * 32)
    (tmp_path / "rewritten.json").write_text(json.dumps(rewritten))
    code, _, err = check(
        "log",
        "verify-proof",
        "consistency",
        "--proof",
        files["consistency.json"],
        "--old-checkpoint",
        files["old.json"],
        "--checkpoint",
        str(tmp_path / "rewritten.json"),
        "--public-key",
        files["key.pem"],
    )
    assert (code, "signature" in err) == (1, True)

    other_key = tmp_path / "other" / "k.pem"
    other = run_cli(
        "log", "public-key", cwd=tmp_path, extra_env={"GOVERNANCE_SIGNING_KEY": str(other_key)}
    )
    (tmp_path / "other.pem").write_text(other.stdout)
    code, _, _ = check(
        "log",
        "verify-export",
        "--export",
        files["log.jsonl"],
        "--public-key",
        str(tmp_path / "other.pem"),
        "--checkpoint",
        files["new.json"],
    )
    assert code == 1


def test_csv_export_and_filters(database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    try:
        world = build_world(database)
        activity(world, "Model cards")
    finally:
        database.dispose()
    result = run_cli(
        "log",
        "export",
        "--format",
        "csv",
        "--action",
        "vote.cast",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert result.returncode == 0, result.stderr
    rows = result.stdout.strip().splitlines()
    assert rows[0].startswith("seq,recorded_at,actor_id,action")
    assert len(rows) == 2
    assert ",vote.cast," in rows[1]
    bad = run_cli("log", "export", "--since", "2026-01-01", cwd=tmp_path, database_url=database_url)
    assert bad.returncode == 2
    assert "time zone" in bad.stderr
