"""Signed checkpoints: "the log had n entries and this Merkle root", signed with Ed25519.

A checkpoint is a C2SP signed note (c2sp.org/signed-note) whose text is a C2SP checkpoint
(c2sp.org/tlog-checkpoint): the origin line, the tree size, the base64 root hash, and one
extension line, the UTC time it was taken; then a blank line and the log's signature:

    governance-engine decision log
    1337
    p6Y0...base64...=
    2026-11-21T08:00:00.000000Z

    — governance-engine base64(4-byte key ID || Ed25519 signature of the text above)

Checkpoints signed before notes were adopted signed exactly this text too, so every stored
checkpoint is also a valid signed note: no migration. Their JSON form (``to_dict``) is still
read, so checkpoint files kept from before verify as they did.

An auditor who keeps a checkpoint can later check, with only the public key, that an entry
is in the log it signed (inclusion proof) and that a newer log extends it (consistency proof).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from governance_engine.log import note
from governance_engine.log.canonical import format_timestamp, parse_timestamp

ORIGIN = "governance-engine decision log"
KEY_NAME = "governance-engine"  # the log key's name in signed notes (no spaces allowed)


def verifier_key(public_key: Ed25519PublicKey) -> note.VerifierKey:
    """The log's key as a note verifier: ``governance-engine+<key ID>+<base64 key>``."""
    return note.VerifierKey(KEY_NAME, public_key)


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
    note_key_id: bytes = b""  # read from a signed note's signature line

    @classmethod
    def from_note(cls, text: str) -> SignedCheckpoint:
        """A checkpoint from its signed note (unverified: call ``verify`` with the key).

        NoteError or ValueError names what is malformed.
        """
        body, signatures = note.split(text)
        ours = [signature for signature in signatures if signature.name == KEY_NAME]
        if len(ours) != 1:
            raise note.NoteError(f"the note needs exactly one signature by {KEY_NAME}")
        lines = body.splitlines()
        if len(lines) != 4:
            raise ValueError("a checkpoint is 4 lines: origin, size, root hash, time")
        origin, size, root, moment = lines
        if not size.isdigit() or (len(size) > 1 and size.startswith("0")):
            raise ValueError(f"checkpoint size {size!r} is not a decimal number")
        try:
            root_hash = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise ValueError("checkpoint root hash is not base64") from None
        if len(root_hash) != 32:
            raise ValueError("checkpoint root hash is not 32 bytes")
        checkpoint = cls(
            tree_size=int(size),
            root_hash=root_hash,
            timestamp=parse_timestamp(moment),
            key_id="",
            signature=ours[0].signature,
            origin=origin,
            note_key_id=ours[0].key_id,
        )
        if checkpoint.note() != body.encode():
            raise ValueError("the checkpoint text is not in its canonical form")
        return checkpoint

    def note(self) -> bytes:
        """The checkpoint text: what the log's signature covers."""
        return _note(self.origin, self.tree_size, self.root_hash, self.timestamp)

    def signed_note(self, public_key: Ed25519PublicKey | None = None) -> str:
        """The checkpoint as a C2SP signed note.

        The key ID comes from the public key; without one, from the key ID recorded with the
        signature (a note made with the wrong key simply fails to verify).
        """
        if public_key is not None:
            id_ = verifier_key(public_key).key_id
        else:
            id_ = self.note_key_id or b"\0\0\0\0"
        signature = note.NoteSignature(KEY_NAME, id_, self.signature)
        return note.assemble(self.note().decode("utf-8"), [signature])

    def verify(self, public_key: Ed25519PublicKey) -> bool:
        if self.key_id and key_id(public_key) != self.key_id:
            return False
        if self.note_key_id and verifier_key(public_key).key_id != self.note_key_id:
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
            "signed_note": self.signed_note(),
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
