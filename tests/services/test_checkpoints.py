"""Checkpoints store the roots of complete blocks of entries; proofs use them, and agree with
proofs computed from every leaf, on both databases."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update
from testkit.log import AT, append_entries

from governance_engine.log.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import LogEntry, MerkleBlock
from governance_engine.services import checkpoints

KEY = Ed25519PrivateKey.generate()


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "BLOCK_HEIGHT", 2)  # blocks of 4 entries


def checkpoint(database: Database) -> bytes:
    with database.transaction() as session:
        return bytes.fromhex(checkpoints.create_checkpoint(session, at=AT, key=KEY).root_hash)


def all_leaves(database: Database) -> list[bytes]:
    with database.reader() as session:
        hashes = session.scalars(select(LogEntry.hash).order_by(LogEntry.seq))
        return [leaf_hash(bytes.fromhex(value)) for value in hashes]


def stored_blocks(database: Database) -> list[int]:
    with database.reader() as session:
        return list(session.scalars(select(MerkleBlock.position).order_by(MerkleBlock.position)))


def test_checkpoints_store_blocks_and_proofs_match_the_full_tree(database: Database) -> None:
    append_entries(database, 10)
    first_root = checkpoint(database)
    assert stored_blocks(database) == [0, 1]
    append_entries(database, 13)
    second_root = checkpoint(database)
    assert stored_blocks(database) == [0, 1, 2, 3, 4]  # 23 entries: five complete blocks
    leaves = all_leaves(database)
    assert (first_root, second_root) == (
        root_from_leaf_hashes(leaves[:10]),
        root_from_leaf_hashes(leaves),
    )
    size = len(leaves)
    with database.reader() as session:
        for seq in range(1, size + 1):
            proof = checkpoints.prove_inclusion(session, seq=seq)
            nodes = [bytes.fromhex(node) for node in proof.proof]
            assert nodes == inclusion_proof(seq - 1, leaves)
            assert verify_inclusion(seq - 1, size, leaves[seq - 1], nodes, second_root)
        for first in range(size + 1):
            consistency = checkpoints.prove_consistency(session, first=first)
            nodes = [bytes.fromhex(node) for node in consistency.proof]
            assert nodes == consistency_proof(first, leaves)
            first_root_now = bytes.fromhex(consistency.first_root)
            assert verify_consistency(first, size, nodes, first_root_now, second_root)


def test_proofs_need_no_stored_blocks(database: Database) -> None:
    """Blocks are a cache: with none stored, proofs are computed from the entries."""
    append_entries(database, 9)
    leaves = all_leaves(database)
    with database.reader() as session:
        proof = checkpoints.prove_inclusion(session, seq=6)
    assert stored_blocks(database) == []
    assert [bytes.fromhex(node) for node in proof.proof] == inclusion_proof(5, leaves)
    assert bytes.fromhex(proof.root_hash) == root_from_leaf_hashes(leaves)


def test_a_corrupted_block_makes_proofs_fail_to_verify(database: Database) -> None:
    append_entries(database, 12)
    signed_root = checkpoint(database)
    with database.transaction() as session:
        session.execute(update(MerkleBlock).where(MerkleBlock.position == 0).values(root="0" * 64))
    leaves = all_leaves(database)
    with database.reader() as session:
        proof = checkpoints.prove_inclusion(session, seq=12)
    nodes = [bytes.fromhex(node) for node in proof.proof]
    assert not verify_inclusion(11, 12, leaves[11], nodes, signed_root)
