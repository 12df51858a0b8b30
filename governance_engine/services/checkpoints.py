"""Signed Merkle checkpoints over the decision log, and the proofs an auditor checks them with."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from governance_engine.errors import InvalidInput, LogIntegrityError, NotFound
from governance_engine.log.chain import GENESIS_HASH, StoredEntry, verify_chain
from governance_engine.log.checkpoint import (
    SignedCheckpoint,
    key_id,
    sign_checkpoint,
    verifier_key,
)
from governance_engine.log.merkle import (
    BlockedTree,
    MerkleAccumulator,
    consistency_path,
    inclusion_path,
    leaf_hash,
    root_from_leaf_hashes,
)
from governance_engine.log.stored_row import DamagedRow, in_order, is_digest
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


def to_signed(row: Checkpoint, public_key: Ed25519PublicKey | None = None) -> SignedCheckpoint:
    """The stored checkpoint; with the log's public key (the one that signed it), its signed
    note carries that key's ID."""
    signed = SignedCheckpoint(
        tree_size=row.tree_size,
        root_hash=bytes.fromhex(row.root_hash),
        timestamp=row.signed_at,
        key_id=row.key_id,
        signature=base64.b64decode(row.signature),
    )
    if public_key is not None and key_id(public_key) == row.key_id:
        signed = dataclasses.replace(signed, note_key_id=verifier_key(public_key).key_id)
    return signed


def create_checkpoint(session: Session, *, at: datetime, key: Ed25519PrivateKey) -> Checkpoint:
    """Sign the log as it stands; if it has not grown since the last checkpoint, return that one.

    Rule (DESIGN §6): the server never signs two trees that contradict each other. Before
    signing, the first entries must still be exactly the tree the latest checkpoint signed
    (same Merkle root, recomputed from the stored hashes), and every entry since must verify
    on the hash chain up to the head. Otherwise LogIntegrityError, and nothing is signed.
    """
    head = log_writer.read_head(session)
    if not isinstance(head, DamagedRow):
        log_writer.lock_head(session)  # no entry can be appended while we read the tree
        head = log_writer.read_head(session)
    if isinstance(head, DamagedRow):
        raise LogIntegrityError(f"refusing to sign a checkpoint: {head.what}")
    head_seq, head_hash = head
    latest = queries.latest(session)
    tree = MerkleAccumulator()
    prev = GENESIS_HASH
    if latest is not None:
        signed = _checked_signed(latest)
        if head_seq < signed.tree_size:
            raise LogIntegrityError(
                f"refusing to sign a checkpoint: the log head is at seq {head_seq}, below the "
                f"latest checkpoint of size {signed.tree_size}: entries "
                f"{head_seq + 1}..{signed.tree_size} were removed (rollback)"
            )
        prev = _add_prefix(session, tree, signed)
        if head_seq == signed.tree_size and head_hash == prev:
            return latest
    _add_since(session, tree, first_seq=tree.size + 1, prev=prev, head=(head_seq, head_hash))
    _store_blocks(session, head_seq)
    signed_now = sign_checkpoint(key, tree_size=head_seq, root_hash=tree.root(), timestamp=at)
    row = Checkpoint(
        tree_size=signed_now.tree_size,
        root_hash=signed_now.root_hash.hex(),
        signed_at=at,
        key_id=signed_now.key_id,
        signature=base64.b64encode(signed_now.signature).decode("ascii"),
    )
    session.add(row)
    session.flush()
    return row


def _checked_signed(row: Checkpoint) -> SignedCheckpoint:
    try:
        return to_signed(row)
    except (TypeError, ValueError) as error:
        raise LogIntegrityError(
            f"refusing to sign a checkpoint: the stored checkpoint of size {row.tree_size} "
            f"is damaged ({error})"
        ) from None


def _add_prefix(session: Session, tree: MerkleAccumulator, signed: SignedCheckpoint) -> str:
    """Add the leaves of entries 1..size to ``tree``, check the root is the signed one, and
    return the hash of entry ``size`` (the chain goes on from it)."""
    prev = GENESIS_HASH
    for seq, value in queries.numbered_chain_hashes(session, upto=signed.tree_size):
        if seq != tree.size + 1 or not isinstance(value, str) or not is_digest(value):
            break
        tree.add(leaf_hash(bytes.fromhex(value)))
        prev = value
    if tree.size != signed.tree_size or tree.root() != signed.root_hash:
        raise LogIntegrityError(
            f"refusing to sign a checkpoint: entries 1..{signed.tree_size} are no longer the "
            f"tree the checkpoint of size {signed.tree_size} signed (the log was rewritten)"
        )
    return prev


def _add_since(
    session: Session, tree: MerkleAccumulator, *, first_seq: int, prev: str, head: tuple[int, str]
) -> None:
    """Verify the chain from ``first_seq`` to the head, adding each entry's leaf to ``tree``."""
    damage: list[DamagedRow] = []

    def entries() -> Iterator[StoredEntry]:
        rows = log_writer.iter_stored(session, after_seq=first_seq - 1, upto=head[0])
        with closing(rows):
            for row in in_order(rows, first_seq=first_seq):
                if isinstance(row, DamagedRow):
                    damage.append(row)
                    return
                if is_digest(row.hash):  # else the chain breaks at this entry
                    tree.add(leaf_hash(bytes.fromhex(row.hash)))
                yield row

    result = verify_chain(entries(), first_seq=first_seq, prev_hash=prev)
    if not result.ok:
        raise LogIntegrityError(f"refusing to sign a checkpoint: {result.describe()}")
    if damage:
        raise LogIntegrityError(f"refusing to sign a checkpoint: {damage[0].describe()}")
    if (tree.size, result.head_hash) != head:
        raise LogIntegrityError(
            f"refusing to sign a checkpoint: the chain ends at seq {tree.size} but the log "
            f"head records seq {head[0]}"
        )


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
