"""What a witness checks before it co-signs a checkpoint (c2sp.org/tlog-cosignature).

It holds the last checkpoint it accepted. A new one is co-signed only if the log's key
signed it and its tree extends the old one: a larger size with a valid consistency proof, or
the very same tree. A smaller tree is a rollback, the same size with another root a fork,
a failed proof a rewrite: each is refused, and the witness keeps both notes as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from governance_engine.log.checkpoint import SignedCheckpoint
from governance_engine.log.merkle import verify_consistency


def refusal(
    old: SignedCheckpoint | None,
    new: SignedCheckpoint,
    proof: Sequence[bytes],
    log_key: Ed25519PublicKey,
) -> str | None:
    """Why ``new`` must not be co-signed after ``old`` was, or None when it may be."""
    if not new.verify(log_key):
        return f"the checkpoint of size {new.tree_size} is not signed by the log's key"
    if old is None:
        return None
    if new.origin != old.origin:
        return f"the checkpoint is for log {new.origin!r}, not {old.origin!r}"
    if new.tree_size < old.tree_size:
        return (
            f"rollback: the log offers a tree of {new.tree_size} entries after this witness "
            f"accepted one of {old.tree_size}"
        )
    if new.tree_size == old.tree_size:
        if new.root_hash != old.root_hash:
            return f"fork: two different trees of size {new.tree_size} were signed"
        return None
    if not verify_consistency(old.tree_size, new.tree_size, proof, old.root_hash, new.root_hash):
        return (
            f"rewrite: the tree of {new.tree_size} entries does not extend the tree of "
            f"{old.tree_size} this witness accepted (the consistency proof fails)"
        )
    return None
