"""Witnesses end to end against the app (in process, through its HTTP API): three member
organizations co-sign; a rollback, a fork and a full rewrite by the key holder are refused
with evidence kept; unknown keys are refused; ``log verify --witnesses N`` counts them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import text
from testkit.cli import run_cli
from testkit.http import Api
from testkit.tamper import drop_log_triggers

from governance_engine.cli._witness import WitnessState, witness_offline, witness_online
from governance_engine.log import note
from governance_engine.log.chain import StoredEntry, entry_hash
from governance_engine.log.checkpoint import SignedCheckpoint
from governance_engine.persistence import log_writer
from governance_engine.services import log_audit

API = "/api/v1/log"
MEMBERS = ("witness.uni-a.example/gov", "witness.lab-b.example/gov", "witness.ngo-c.example/gov")


def file_one(api: Api, title: str) -> None:
    body = {"kind": "standard", "title": title, "sponsor": "wg-trust-validation", "text": "# x\n"}
    assert api.post("/api/v1/proposals", json=body).status_code == 201


def checkpoint(api: Api) -> int:
    answer = api.post(f"{API}/checkpoints", "admin")
    assert answer.status_code == 201, answer.text
    return int(answer.json()["tree_size"])


def enrol(api: Api, state: Path, name: str) -> None:
    vkey = WitnessState(state, name).verifier_key().encode()
    answer = api.post(f"{API}/witnesses", "admin", json={"verifier_key": vkey})
    assert answer.status_code == 201, answer.text


def run(api: Api, state: Path) -> int:
    return witness_online(state, api.client, name=None, log_key=None, post=True)  # type: ignore[arg-type]


def audit(api: Api, witnesses: int) -> log_audit.LogAudit:
    with api.world.database.reader() as session:
        return log_audit.audit_log(session, witnesses=witnesses)


def rewrite_history(api: Api, *, keep: int | None = None) -> None:
    """The key holder's full rewrite: change entry 2, recompute every hash after it, move the
    head, cut the log to ``keep`` entries, and delete every checkpoint and cached block."""
    database = api.world.database
    with database.reader() as session:
        entries = [row for row in log_writer.iter_stored(session) if isinstance(row, StoredEntry)]
    entries = entries[:keep] if keep is not None else entries
    with database.engine.begin() as connection:
        drop_log_triggers(connection)
        connection.execute(text("DELETE FROM cosignatures"))
        connection.execute(text("DELETE FROM checkpoints"))
        connection.execute(text("DELETE FROM merkle_blocks"))
        if keep is not None:
            connection.execute(text("DELETE FROM log_entries WHERE seq > :n"), {"n": keep})
        prev = entries[0].hash
        for entry in entries[1:]:
            content = entry.content
            if content.seq == 2:
                content = dataclasses.replace(content, action="history.rewritten")
            digest = entry_hash(prev, content)
            connection.execute(
                text(
                    "UPDATE log_entries SET action = :a, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"a": content.action, "p": prev, "h": digest, "s": content.seq},
            )
            prev = digest
        connection.execute(
            text("UPDATE log_head SET seq = :s, hash = :h WHERE id = 1"),
            {"s": entries[-1].content.seq, "h": prev},
        )


def test_three_members_witness_and_catch_a_rewrite_by_the_key_holder(
    api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    states = [tmp_path / f"member-{index}" for index in range(3)]
    for state, name in zip(states, MEMBERS, strict=True):
        enrol(api, state, name)
    first = checkpoint(api)
    assert [run(api, state) for state in states] == [0, 0, 0]
    latest = api.get(f"{API}/checkpoints/latest", who=None).text
    assert latest.count("\u2014 witness.") == 3  # served with the cosignatures
    listed = api.get(f"{API}/checkpoints/{first}/cosignatures", "auditor").json()
    assert sorted(item["witness"] for item in listed) == sorted(MEMBERS)
    assert audit(api, 3).ok
    too_many = audit(api, 4)
    assert not too_many.ok
    assert "3 valid witness cosignatures, 4 required" in too_many.lines()[0]

    file_one(api, "Model cards")
    second = checkpoint(api)
    assert second > first
    assert run(api, states[0]) == 0  # the log only grew: co-signed
    assert "extends" in capsys.readouterr().out
    # until the others catch up, the latest checkpoint has one cosignature
    assert not audit(api, 2).ok

    # The key holder rewrites entry 2 and re-signs: valid chain, valid signature, no old
    # checkpoints left in the database. Same size first (a fork), then grown (a rewrite).
    rewrite_history(api)
    assert checkpoint(api) == second
    with api.world.database.reader() as session:
        assert log_audit.audit_log(session).ok  # nothing inside the database can tell
    assert run(api, states[0]) == 1
    err = capsys.readouterr().err
    assert f"fork: two different trees of size {second} were signed" in err
    file_one(api, "After the rewrite")
    assert checkpoint(api) > second
    assert run(api, states[1]) == 1  # this one last accepted the first checkpoint
    assert "rewrite: the tree of" in capsys.readouterr().err
    evidence = sorted((states[1] / "evidence").iterdir())
    assert len(evidence) == 1
    assert {path.name for path in evidence[0].iterdir()} == {
        "accepted.note",
        "offered.note",
        "proof.json",
        "reason.txt",
    }
    accepted = SignedCheckpoint.from_note((states[1] / "checkpoint").read_text())
    assert accepted.tree_size == first  # the state kept what it had
    assert not audit(api, 1).ok  # no witness co-signed the rewritten log


def test_rollback_is_refused_and_unknown_keys_are_refused(
    api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    member, stranger = tmp_path / "member", tmp_path / "stranger"
    enrol(api, member, MEMBERS[0])
    file_one(api, "One")
    file_one(api, "Two")
    checkpoint(api)
    assert run(api, member) == 0

    WitnessState(stranger, "witness.unknown.example/x")
    assert run(api, stranger) == 1  # it co-signs, but the service refuses an unknown key
    assert "(403)" in capsys.readouterr().err
    forged = api.client.post(
        f"{API}/checkpoints/1/cosignatures", content=b"\xe2\x80\x94 nobody AAAA\n"
    )
    assert forged.status_code in (403, 404, 422)

    rewrite_history(api, keep=3)  # cut the log to 3 entries and sign that
    checkpoint(api)
    assert run(api, member) == 1
    assert "rollback: the log offers a tree of 3 entries" in capsys.readouterr().err


def test_offline_witnessing_and_the_show_key_command(api: Api, tmp_path: Path) -> None:
    state = tmp_path / "offline"
    enrol(api, state, MEMBERS[2])
    log_key = tmp_path / "log.vkey"
    log_key.write_text(api.get(f"{API}/public-key", who=None).json()["verifier_key"])
    first = checkpoint(api)
    note_one = api.get(f"{API}/checkpoints/latest", who=None).text
    assert witness_offline(state, note_one, None, name=None, log_key=log_key) == 0
    file_one(api, "Offline")
    second = checkpoint(api)
    note_two = api.get(f"{API}/checkpoints/latest", who=None).text
    proof = api.get(f"{API}/proofs/consistency", who=None, params={"first": first}).json()
    assert proof["second"] == second
    assert witness_offline(state, note_two, proof, name=None, log_key=log_key) == 0
    bad = dict(proof, proof=["00" * 32 for _ in proof["proof"]])
    file_one(api, "Later")
    checkpoint(api)
    note_three = api.get(f"{API}/checkpoints/latest", who=None).text
    bad = dict(bad, first=second, second=SignedCheckpoint.from_note(note_three).tree_size)
    assert witness_offline(state, note_three, bad, name=None, log_key=log_key) == 1

    shown = run_cli("log", "witness", "--state", str(state), "--show-key", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    key = note.parse_verifier_key(shown.stdout)
    assert (key.name, key.kind) == (MEMBERS[2], note.COSIGNATURE_V1)
    missing = run_cli(
        "log", "witness", "--state", str(tmp_path / "new"), "--url", "x", cwd=tmp_path
    )
    assert missing.returncode == 1
    assert "pass --name NAME" in missing.stderr
    assert "Traceback" not in missing.stderr
