"""What a third party runs to check the log, with no access to the database.

Inputs are documents the service publishes: exported entries (JSON Lines), signed
checkpoints, the checkpoint public key, and inclusion or consistency proofs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from governance_engine.log.canonical import parse_timestamp
from governance_engine.log.chain import GENESIS_HASH, EntryContent, StoredEntry, entry_hash
from governance_engine.log.checkpoint import SignedCheckpoint
from governance_engine.log.merkle import (
    MerkleAccumulator,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)


def entry_from_document(document: Mapping[str, Any]) -> StoredEntry:
    """An exported entry back into what its hash covers; ValueError when malformed."""
    try:
        content = EntryContent(
            seq=int(document["seq"]),
            recorded_at=parse_timestamp(str(document["recorded_at"])),
            actor_id=_optional_int(document["actor_id"]),
            action=str(document["action"]),
            subject_type=str(document["subject_type"]),
            subject_id=str(document["subject_id"]),
            proposal_id=_optional_int(document["proposal_id"]),
            body_id=_optional_int(document["body_id"]),
            payload=dict(document["payload"]),
        )
        return StoredEntry(content, str(document["prev_hash"]), str(document["hash"]))
    except KeyError as missing:
        raise ValueError(f"entry has no {missing.args[0]!r}") from None
    except (TypeError, ValueError) as error:
        raise ValueError(f"entry is malformed: {error}") from None


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


@dataclass
class Verdict:
    ok: bool
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, problem: str) -> Verdict:
        self.ok = False
        self.problems.append(problem)
        return self


def verify_export(
    documents: Iterable[Mapping[str, Any]],
    checkpoints: Sequence[SignedCheckpoint],
    public_key: Ed25519PublicKey,
) -> Verdict:
    """Check an unfiltered export: the hash chain, and each checkpoint's signature and root.

    Every checkpoint that verifies against one export proves the log grew only by appending
    between them: their roots are roots of prefixes of the same chain.
    """
    verdict = Verdict(ok=True)
    wanted: dict[int, list[SignedCheckpoint]] = {}
    for checkpoint in checkpoints:
        if not checkpoint.verify(public_key):
            verdict.fail(f"checkpoint of size {checkpoint.tree_size}: bad signature")
        else:
            wanted.setdefault(checkpoint.tree_size, []).append(checkpoint)
    accumulator = MerkleAccumulator()
    prev = GENESIS_HASH
    for document in documents:
        try:
            entry = entry_from_document(document)
        except ValueError as error:
            return verdict.fail(f"entry {accumulator.size + 1}: {error}")
        seq = accumulator.size + 1
        if entry.content.seq != seq:
            return verdict.fail(f"entry {seq} is missing (found seq {entry.content.seq})")
        try:
            recomputed = entry_hash(prev, entry.content)
        except (TypeError, ValueError, RecursionError) as error:  # e.g. NaN in a payload
            return verdict.fail(f"entry {seq}: its content cannot be hashed ({error})")
        if entry.prev_hash != prev or recomputed != entry.hash:
            return verdict.fail(f"entry {seq}: the hash chain is broken")
        prev = entry.hash
        accumulator.add(leaf_hash(bytes.fromhex(entry.hash)))
        for checkpoint in wanted.pop(accumulator.size, []):
            _check_root(verdict, checkpoint, accumulator.root())
    for checkpoint in wanted.pop(0, []):
        _check_root(verdict, checkpoint, MerkleAccumulator().root())
    for size in sorted(wanted):
        verdict.fail(f"checkpoint of size {size}: the export has only {accumulator.size} entries")
    verdict.notes.append(f"{accumulator.size} entries, chain intact")
    return verdict


def _check_root(verdict: Verdict, checkpoint: SignedCheckpoint, root: bytes) -> None:
    if root == checkpoint.root_hash:
        verdict.notes.append(f"checkpoint of size {checkpoint.tree_size}: root matches")
    else:
        verdict.fail(f"checkpoint of size {checkpoint.tree_size}: root does not match the export")


def _hashes(values: Sequence[str]) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


def verify_inclusion_document(
    proof: Mapping[str, Any], checkpoint: SignedCheckpoint, public_key: Ed25519PublicKey
) -> Verdict:
    """Is the entry in the proof document in the log the checkpoint signed?"""
    verdict = Verdict(ok=True)
    if not checkpoint.verify(public_key):
        return verdict.fail("the checkpoint's signature does not verify with this key")
    try:
        entry = entry_from_document(proof["entry"])
        size, nodes = int(proof["tree_size"]), _hashes(proof["proof"])
    except (KeyError, TypeError, ValueError) as error:
        return verdict.fail(f"the proof document is malformed: {error}")
    if size != checkpoint.tree_size:
        return verdict.fail(
            f"the proof is for size {size}, the checkpoint for {checkpoint.tree_size}"
        )
    if entry_hash(entry.prev_hash, entry.content) != entry.hash:
        return verdict.fail(f"entry {entry.content.seq}: its content does not match its hash")
    leaf = leaf_hash(bytes.fromhex(entry.hash))
    if not verify_inclusion(entry.content.seq - 1, size, leaf, nodes, checkpoint.root_hash):
        return verdict.fail(f"entry {entry.content.seq} is not in the checkpointed log")
    verdict.notes.append(f"entry {entry.content.seq} is in the log of {size} entries")
    return verdict


def verify_consistency_document(
    proof: Mapping[str, Any],
    old: SignedCheckpoint,
    new: SignedCheckpoint,
    public_key: Ed25519PublicKey,
) -> Verdict:
    """Does the newer checkpoint's log extend the older one's (append-only growth)?"""
    verdict = Verdict(ok=True)
    for label, checkpoint in (("older", old), ("newer", new)):
        if not checkpoint.verify(public_key):
            verdict.fail(f"the {label} checkpoint's signature does not verify with this key")
    if not verdict.ok:
        return verdict
    try:
        first, second, nodes = int(proof["first"]), int(proof["second"]), _hashes(proof["proof"])
    except (KeyError, TypeError, ValueError) as error:
        return verdict.fail(f"the proof document is malformed: {error}")
    if (first, second) != (old.tree_size, new.tree_size):
        return verdict.fail(
            f"the proof is from {first} to {second}, the checkpoints are "
            f"{old.tree_size} and {new.tree_size}"
        )
    if not verify_consistency(first, second, nodes, old.root_hash, new.root_hash):
        return verdict.fail(f"the log of {second} entries does not extend the one of {first}")
    verdict.notes.append(f"the log of {second} entries extends the one of {first}")
    return verdict
