from __future__ import annotations

import json

from testkit.http import Api

from governance_engine.log import note
from governance_engine.log.checkpoint import SignedCheckpoint
from governance_engine.log.note import parse_verifier_key
from governance_engine.log.verifier import (
    verify_consistency_document,
    verify_export,
    verify_inclusion_document,
)
from governance_engine.signing import load_public_key


def file_one(api: Api, title: str) -> None:
    body = {"kind": "standard", "title": title, "sponsor": "wg-trust-validation", "text": "# x\n"}
    assert api.post("/api/v1/proposals", json=body).status_code == 201


def test_checkpoints_proofs_and_export_verify_offline(api: Api) -> None:
    public = api.get("/api/v1/log/public-key", who=None)  # published: no token needed
    assert public.status_code == 200
    key = load_public_key(public.json()["pem"].encode())

    assert api.get("/api/v1/log/checkpoints/latest", who=None).status_code == 404
    assert api.post("/api/v1/log/checkpoints", "wendy").status_code == 403
    assert api.post("/api/v1/log/checkpoints", "auditor").status_code == 403
    first = api.post("/api/v1/log/checkpoints", "admin")
    assert first.status_code == 201
    old = SignedCheckpoint.from_dict(first.json())
    assert old.verify(key)
    file_one(api, "Model cards")
    file_one(api, "Provenance")
    new = SignedCheckpoint.from_dict(api.post("/api/v1/log/checkpoints", "admin").json())
    assert new.tree_size > old.tree_size
    latest = api.get("/api/v1/log/checkpoints/latest", who=None)  # public: witnesses need it
    assert latest.headers["content-type"].startswith("text/plain")
    vkey = parse_verifier_key(public.json()["verifier_key"])
    assert note.verify(latest.text, vkey) == new.note().decode()
    assert SignedCheckpoint.from_note(latest.text).tree_size == new.tree_size
    assert (
        latest.text
        == api.get("/api/v1/log/checkpoints", "auditor").json()["items"][-1]["signed_note"]
    )
    listed = api.get("/api/v1/log/checkpoints", "auditor").json()["items"]
    assert [item["tree_size"] for item in listed] == [old.tree_size, new.tree_size]

    inclusion = api.get(
        "/api/v1/log/proofs/inclusion",
        "auditor",
        params={"seq": old.tree_size + 1, "tree_size": new.tree_size},
    )
    assert inclusion.status_code == 200
    assert verify_inclusion_document(inclusion.json(), new, key).ok
    consistency = api.get(
        "/api/v1/log/proofs/consistency",
        "auditor",
        params={"first": old.tree_size, "second": new.tree_size},
    )
    assert verify_consistency_document(consistency.json(), old, new, key).ok

    export = api.get("/api/v1/log/export", "auditor")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/jsonl")
    documents = [json.loads(line) for line in export.text.splitlines()]
    assert len(documents) >= new.tree_size
    assert verify_export(documents, [old, new], key).ok

    csv = api.get(
        "/api/v1/log/export", "auditor", params={"format": "csv", "action": "proposal.filed"}
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == 3  # header and two filings


def test_auditor_only_and_bad_input(api: Api) -> None:
    for path in (
        "/api/v1/log/export",
        "/api/v1/log/checkpoints",
    ):
        assert api.get(path, "wendy").status_code == 403
        assert api.get(path, who=None).status_code == 401
    assert (
        api.get("/api/v1/log/proofs/inclusion", "auditor", params={"seq": 10_000}).status_code
        == 422
    )
    # what witnesses need is public: hashes only, no content of the log
    assert api.get("/api/v1/log/proofs/consistency?first=0", who=None).status_code == 200
    naive = api.get("/api/v1/log/export", "auditor", params={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    assert api.get("/api/v1/log/export", "auditor", params={"format": "xml"}).status_code == 422
