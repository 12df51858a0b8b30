"""The third party's verifier: exported entries, checkpoints and proof documents, no database.

Each verdict is asserted whole: ``ok``, every problem and every note, word for word, since
the auditor reads them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance_engine.log import GENESIS_HASH, EntryContent, StoredEntry, entry_hash
from governance_engine.log.checkpoint import SignedCheckpoint, sign_checkpoint
from governance_engine.log.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
)
from governance_engine.log.verifier import (
    Verdict,
    entry_from_document,
    verify_consistency_document,
    verify_export,
    verify_inclusion_document,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = KEY.public_key()
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MALFORMED = "the proof document is malformed: "
BAD_KEY = "the checkpoint's signature does not verify with this key"
OLD_BAD = "the older checkpoint's signature does not verify with this key"
NEW_BAD = "the newer checkpoint's signature does not verify with this key"


def make_chain(length: int) -> list[StoredEntry]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, length + 1):
        content = EntryContent(
            seq, START + timedelta(minutes=seq), seq % 2 or None, "vote.cast", "ballot", "7",
            None if seq == 2 else 1, 2, {"n": seq},
        )  # fmt: skip
        digest = entry_hash(prev, content)
        entries.append(StoredEntry(content, prev, digest))
        prev = digest
    return entries


CHAIN = make_chain(5)
DOCS = [e.as_document() for e in CHAIN]
LEAVES = [leaf_hash(bytes.fromhex(e.hash)) for e in CHAIN]


def signed(size: int, key: Ed25519PrivateKey = KEY, root: bytes | None = None) -> SignedCheckpoint:
    root = root_from_leaf_hashes(LEAVES[:size]) if root is None else root
    return sign_checkpoint(key, tree_size=size, root_hash=root, timestamp=START)


def verdict_of(verdict: Verdict) -> tuple[bool, list[str], list[str]]:
    return verdict.ok, verdict.problems, verdict.notes


def test_entry_documents_read_back_exactly() -> None:
    for entry, document in zip(CHAIN, DOCS, strict=True):
        assert entry_from_document(document) == entry
    odd = {**DOCS[0], "seq": "1", "actor_id": "1", "proposal_id": None, "body_id": "2"}
    read = entry_from_document(odd)
    assert (read.content.seq, read.content.actor_id, read.content.proposal_id) == (1, 1, None)
    assert read.content.body_id == 2


@pytest.mark.parametrize("key", list(DOCS[0]))
def test_an_entry_document_missing_a_key_is_named(key: str) -> None:
    document = {k: v for k, v in DOCS[0].items() if k != key}
    with pytest.raises(ValueError, match=rf"^entry has no '{key}'$"):
        entry_from_document(document)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("seq", "one", r"^entry is malformed: invalid literal for int\(\)"),
        ("actor_id", "x", r"^entry is malformed: invalid literal for int\(\)"),
        ("body_id", [], r"^entry is malformed: int\(\) argument must be"),
        ("recorded_at", "2026-03-01T12:01:00", r"^entry is malformed: timestamp '2026-03-01T12"),
        ("payload", 5, r"^entry is malformed: 'int' object is not iterable$"),
    ],
)
def test_a_malformed_entry_document_is_refused(key: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        entry_from_document({**DOCS[0], key: value})


def test_an_intact_export_with_its_checkpoints() -> None:
    checkpoints = [signed(5), signed(2), signed(0), signed(2)]
    result = verify_export(iter(DOCS), checkpoints, PUBLIC)
    assert verdict_of(result) == (
        True,
        [],
        [
            "checkpoint of size 2: root matches",
            "checkpoint of size 2: root matches",
            "checkpoint of size 5: root matches",
            "checkpoint of size 0: root matches",
            "5 entries, chain intact",
        ],
    )


def test_an_empty_export() -> None:
    assert verdict_of(verify_export([], [], PUBLIC)) == (True, [], ["0 entries, chain intact"])
    assert verdict_of(verify_export([], [signed(1)], PUBLIC)) == (
        False,
        ["checkpoint of size 1: the export has only 0 entries"],
        ["0 entries, chain intact"],
    )


def test_checkpoints_that_do_not_match_the_export() -> None:
    checkpoints = [signed(3, key=OTHER), signed(4, root=bytes(32)), signed(7), signed(6)]
    result = verify_export(DOCS, checkpoints, PUBLIC)
    assert verdict_of(result) == (
        False,
        [
            "checkpoint of size 3: bad signature",
            "checkpoint of size 4: root does not match the export",
            "checkpoint of size 6: the export has only 5 entries",
            "checkpoint of size 7: the export has only 5 entries",
        ],
        ["5 entries, chain intact"],
    )
    empty_root = signed(0, root=bytes(32))
    assert verdict_of(verify_export(DOCS, [empty_root], PUBLIC))[1] == [
        "checkpoint of size 0: root does not match the export"
    ]


@pytest.mark.parametrize(
    ("documents", "problem"),
    [
        ([*DOCS[:2], *DOCS[3:]], "entry 3 is missing (found seq 4)"),
        (DOCS[1:], "entry 1 is missing (found seq 2)"),
        ([*DOCS[:3], DOCS[2]], "entry 4 is missing (found seq 3)"),
        ([*DOCS[:2], {**DOCS[2], "payload": {"n": 0}}], "entry 3: the hash chain is broken"),
        (
            [*DOCS[:2], {**DOCS[2], "prev_hash": DOCS[0]["hash"]}],
            "entry 3: the hash chain is broken",
        ),
        ([{**DOCS[0], "prev_hash": "1" * 64}], "entry 1: the hash chain is broken"),
        ([DOCS[0], {**DOCS[1], "hash": DOCS[0]["hash"]}], "entry 2: the hash chain is broken"),
        (
            [DOCS[0], {k: v for k, v in DOCS[1].items() if k != "hash"}],
            "entry 2: entry has no 'hash'",
        ),
    ],
)
def test_a_broken_export_stops_at_the_first_break(
    documents: list[dict[str, Any]], problem: str
) -> None:
    result = verify_export(documents, [signed(1), signed(5)], PUBLIC)
    assert not result.ok
    assert result.problems == [problem]
    assert "chain intact" not in " ".join(result.notes)


def inclusion(seq: int, size: int = 5) -> dict[str, Any]:
    return {
        "entry": DOCS[seq - 1],
        "tree_size": size,
        "proof": [node.hex() for node in inclusion_proof(seq - 1, LEAVES[:size])],
    }


def test_inclusion_documents() -> None:
    for seq in range(1, 6):
        assert verdict_of(verify_inclusion_document(inclusion(seq), signed(5), PUBLIC)) == (
            True,
            [],
            [f"entry {seq} is in the log of 5 entries"],
        )
    assert verify_inclusion_document(inclusion(3, 3), signed(3), PUBLIC).ok


@pytest.mark.parametrize(
    ("proof", "checkpoint", "problem"),
    [
        (inclusion(2), signed(5, key=OTHER), BAD_KEY),
        ({"entry": DOCS[0], "proof": []}, signed(5), MALFORMED + "'tree_size'"),
        ({**inclusion(2), "entry": {}}, signed(5), MALFORMED + "entry has no 'seq'"),
        (
            {**inclusion(2), "proof": ["zz"]},
            signed(5),
            MALFORMED + "non-hexadecimal number found in fromhex() arg at position 0",
        ),
        (
            {**inclusion(2), "tree_size": "x"},
            signed(5),
            MALFORMED + "invalid literal for int() with base 10: 'x'",
        ),
        (inclusion(2, 4), signed(5), "the proof is for size 4, the checkpoint for 5"),
        (inclusion(2), signed(4), "the proof is for size 5, the checkpoint for 4"),
        (
            {**inclusion(2), "entry": {**DOCS[1], "action": "x"}},
            signed(5),
            "entry 2: its content does not match its hash",
        ),
        (
            {**inclusion(2), "proof": inclusion(3)["proof"]},
            signed(5),
            "entry 2 is not in the checkpointed log",
        ),
        (inclusion(2), signed(5, root=bytes(32)), "entry 2 is not in the checkpointed log"),
    ],
)
def test_inclusion_documents_that_fail(
    proof: dict[str, Any], checkpoint: SignedCheckpoint, problem: str
) -> None:
    assert verdict_of(verify_inclusion_document(proof, checkpoint, PUBLIC)) == (
        False,
        [problem],
        [],
    )


def consistency(first: int, second: int) -> dict[str, Any]:
    nodes = consistency_proof(first, LEAVES[:second])
    return {"first": first, "second": second, "proof": [node.hex() for node in nodes]}


def test_consistency_documents() -> None:
    for first in range(0, 6):
        result = verify_consistency_document(
            consistency(first, 5), signed(first), signed(5), PUBLIC
        )
        assert verdict_of(result) == (
            True,
            [],
            [f"the log of 5 entries extends the one of {first}"],
        )


@pytest.mark.parametrize(
    ("proof", "old", "new", "problems"),
    [
        (consistency(2, 5), signed(2, key=OTHER), signed(5), [OLD_BAD]),
        (consistency(2, 5), signed(2), signed(5, key=OTHER), [NEW_BAD]),
        (consistency(2, 5), signed(2, key=OTHER), signed(5, key=OTHER), [OLD_BAD, NEW_BAD]),
        ({"first": 2, "proof": []}, signed(2), signed(5), [MALFORMED + "'second'"]),
        (
            {**consistency(2, 5), "proof": None},
            signed(2),
            signed(5),
            [MALFORMED + "'NoneType' object is not iterable"],
        ),
        (
            consistency(3, 5),
            signed(2),
            signed(5),
            ["the proof is from 3 to 5, the checkpoints are 2 and 5"],
        ),
        (
            consistency(2, 4),
            signed(2),
            signed(5),
            ["the proof is from 2 to 4, the checkpoints are 2 and 5"],
        ),
        (
            consistency(2, 5),
            signed(2, root=bytes(32)),
            signed(5),
            ["the log of 5 entries does not extend the one of 2"],
        ),
        (
            consistency(3, 5),
            signed(3),
            signed(5, root=bytes(32)),
            ["the log of 5 entries does not extend the one of 3"],
        ),
    ],
)
def test_consistency_documents_that_fail(
    proof: dict[str, Any], old: SignedCheckpoint, new: SignedCheckpoint, problems: list[str]
) -> None:
    assert verdict_of(verify_consistency_document(proof, old, new, PUBLIC)) == (False, problems, [])


def test_a_verdict_collects_problems() -> None:
    verdict = Verdict(ok=True)
    assert verdict.fail("one") is verdict
    verdict.fail("two")
    assert verdict_of(verdict) == (False, ["one", "two"], [])
    assert verdict_of(Verdict(ok=True)) == (True, [], [])
