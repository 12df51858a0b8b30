"""Signed checkpoints: "the log had n entries and this Merkle root", signed with Ed25519.

The signed text follows the shape of transparency-log checkpoints (an origin line, the tree
size, the base64 root hash) with one more line, the UTC time it was taken:

    governance-engine decision log
    1337
    p6Y0...base64...=
    2026-11-21T08:00:00.000000Z

An auditor who keeps a checkpoint can later check, with only the public key, that an entry
is in the log it signed (inclusion proof) and that a newer log extends it (consistency proof).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from governance_engine.log.canonical import format_timestamp, parse_timestamp

ORIGIN = "governance-engine decision log"


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short, stable name for a key: the first 8 bytes of SHA-256 of its raw form, in hex."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class SignedCheckpoint:
    tree_size: int
    root_hash: bytes
    timestamp: datetime
    key_id: str
    signature: bytes
    origin: str = ORIGIN

    def note(self) -> bytes:
        return _note(self.origin, self.tree_size, self.root_hash, self.timestamp)

    def verify(self, public_key: Ed25519PublicKey) -> bool:
        if key_id(public_key) != self.key_id:
            return False
        try:
            public_key.verify(self.signature, self.note())
        except InvalidSignature:
            return False
        return True

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": format_timestamp(self.timestamp),
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode("ascii"),
            "note": self.note().decode("utf-8"),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignedCheckpoint:
        """Read a checkpoint document; ValueError names what is missing or malformed."""
        try:
            timestamp = parse_timestamp(str(data["timestamp"]))
            checkpoint = cls(
                tree_size=int(data["tree_size"]),
                root_hash=bytes.fromhex(data["root_hash"]),
                timestamp=timestamp,
                key_id=str(data["key_id"]),
                signature=base64.b64decode(data["signature"], validate=True),
                origin=str(data.get("origin", ORIGIN)),
            )
        except KeyError as missing:
            raise ValueError(f"checkpoint has no {missing.args[0]!r}") from None
        except (TypeError, ValueError) as error:
            raise ValueError(f"checkpoint is malformed: {error}") from None
        if checkpoint.tree_size < 0 or len(checkpoint.root_hash) != 32:
            raise ValueError("checkpoint is malformed: bad tree size or root hash")
        return checkpoint


def _note(origin: str, tree_size: int, root_hash: bytes, timestamp: datetime) -> bytes:
    root = base64.b64encode(root_hash).decode("ascii")
    return f"{origin}\n{tree_size}\n{root}\n{format_timestamp(timestamp)}\n".encode()


def sign_checkpoint(
    private_key: Ed25519PrivateKey, *, tree_size: int, root_hash: bytes, timestamp: datetime
) -> SignedCheckpoint:
    signature = private_key.sign(_note(ORIGIN, tree_size, root_hash, timestamp))
    return SignedCheckpoint(
        tree_size=tree_size,
        root_hash=root_hash,
        timestamp=timestamp,
        key_id=key_id(private_key.public_key()),
        signature=signature,
    )
