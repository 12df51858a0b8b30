"""Signed Merkle checkpoints over the decision log, and the proofs an auditor checks them with."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from governance_engine.errors import InvalidInput, NotFound
from governance_engine.log.checkpoint import SignedCheckpoint, sign_checkpoint
from governance_engine.log.merkle import (
    BlockedTree,
    consistency_path,
    inclusion_path,
    leaf_hash,
    root_from_leaf_hashes,
)
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Checkpoint, MerkleBlock
from governance_engine.persistence.repositories import checkpoints as queries

# Roots of aligned blocks of 2**10 = 1,024 entries are stored when checkpoints are signed,
# so a proof over n entries reads about n / 1,024 stored roots and at most a few partial
# blocks of entries instead of all n (2,000,000 entries: ~2,000 rows, not 2,000,000).
BLOCK_HEIGHT = 10


def _leaves(session: Session, start: int, end: int) -> list[bytes]:
    """Leaf hashes of D[start:end] (0-based leaves; entries start+1..end)."""
    hashes = queries.chain_hashes(session, after=start, upto=end)
    return [leaf_hash(bytes.fromhex(value)) for value in hashes]


def _tree(session: Session, size: int) -> BlockedTree:
    block_size = 1 << BLOCK_HEIGHT
    blocks = queries.block_roots(session, height=BLOCK_HEIGHT, below=size // block_size)
    return BlockedTree(size, block_size, blocks, lambda start, end: _leaves(session, start, end))


def _store_blocks(session: Session, size: int) -> None:
    """Store the root of every complete block of the first ``size`` entries not stored yet."""
    block_size = 1 << BLOCK_HEIGHT
    position = queries.blocks_stored(session, height=BLOCK_HEIGHT)
    complete = size // block_size
    if position >= complete:
        return
    hashes = queries.chain_hashes(session, after=position * block_size, upto=complete * block_size)
    block: list[bytes] = []
    for value in hashes:
        block.append(leaf_hash(bytes.fromhex(value)))
        if len(block) == block_size:
            root = root_from_leaf_hashes(block).hex()
            session.add(MerkleBlock(height=BLOCK_HEIGHT, position=position, root=root))
            position += 1
            block.clear()
            if position % 100 == 0:
                session.flush()  # keep the unit of work small on a long log
    session.flush()


def to_signed(row: Checkpoint) -> SignedCheckpoint:
    return SignedCheckpoint(
        tree_size=row.tree_size,
        root_hash=bytes.fromhex(row.root_hash),
        timestamp=row.signed_at,
        key_id=row.key_id,
        signature=base64.b64decode(row.signature),
    )


def create_checkpoint(session: Session, *, at: datetime, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the log as it stands; if it has not grown since the last checkpoint, return that one."""
    head = log_writer.lock_head(session)  # no entry can be appended while we read the tree
    latest = queries.latest(session)
    if latest is not None and latest.tree_size == head.seq:
        return latest
    _store_blocks(session, head.seq)
    root = _tree(session, head.seq).root(0, head.seq)
    signed = sign_checkpoint(key, tree_size=head.seq, root_hash=root, timestamp=at)
    row = Checkpoint(
        tree_size=signed.tree_size,
        root_hash=signed.root_hash.hex(),
        signed_at=at,
        key_id=signed.key_id,
        signature=base64.b64encode(signed.signature).decode("ascii"),
    )
    session.add(row)
    session.flush()
    return row


def _tree_size(session: Session, tree_size: int | None) -> int:
    head = log_writer.head(session)
    size = head if tree_size is None else tree_size
    if not 0 <= size <= head:
        raise InvalidInput(f"tree size must be between 0 and {head}", field="tree_size")
    return size


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]
    entry: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash,
            "root_hash": self.root_hash,
            "proof": self.proof,
            "entry": self.entry,
        }


def prove_inclusion(session: Session, *, seq: int, tree_size: int | None = None) -> InclusionProof:
    size = _tree_size(session, tree_size)
    if not 1 <= seq <= size:
        raise InvalidInput(f"entry {seq} is not in a log of {size} entries", field="seq")
    stored = queries.entry(session, seq)
    if stored is None:
        raise NotFound(f"there is no log entry {seq}")
    tree = _tree(session, size)
    return InclusionProof(
        seq=seq,
        tree_size=size,
        leaf_hash=tree.root(seq - 1, seq).hex(),
        root_hash=tree.root(0, size).hex(),
        proof=[node.hex() for node in inclusion_path(seq - 1, size, tree.root)],
        entry=log_writer.export_document(stored),
    )


@dataclass(frozen=True)
class ConsistencyProof:
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "first_root": self.first_root,
            "second_root": self.second_root,
            "proof": self.proof,
        }


def prove_consistency(
    session: Session, *, first: int, second: int | None = None
) -> ConsistencyProof:
    size = _tree_size(session, second)
    if not 0 <= first <= size:
        raise InvalidInput(f"first must be between 0 and {size}", field="first")
    tree = _tree(session, size)
    return ConsistencyProof(
        first=first,
        second=size,
        first_root=tree.root(0, first).hex(),
        second_root=tree.root(0, size).hex(),
        proof=[node.hex() for node in consistency_path(first, size, tree.root)],
    )


def latest_or_size(session: Session, tree_size: int | None) -> Checkpoint:
    row = queries.latest(session) if tree_size is None else queries.by_size(session, tree_size)
    if row is None:
        raise NotFound(
            "no checkpoint has been signed yet"
            if tree_size is None
            else f"there is no checkpoint of size {tree_size}"
        )
    return row


def page(session: Session, *, after: int, limit: int) -> list[Checkpoint]:
    return queries.page(session, after=after, limit=limit)
