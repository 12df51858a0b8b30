"""Signed checkpoints and Merkle proofs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from governance_engine.log.checkpoint import SignedCheckpoint


class CheckpointRead(BaseModel):
    """Save this document: later proofs are checked against it with the public key."""

    origin: str
    tree_size: int = Field(description="Entries 1..tree_size are covered")
    root_hash: str = Field(description="RFC 6962 Merkle root, hex")
    timestamp: datetime
    key_id: str
    signature: str = Field(description="Ed25519 over `note`, base64")
    note: str = Field(description="The exact signed text")
    signed_note: str = Field(
        description="The checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint)"
    )

    @classmethod
    def of(cls, signed: SignedCheckpoint) -> CheckpointRead:
        return cls.model_validate(signed.to_dict())


class PublicKeyRead(BaseModel):
    algorithm: str = "Ed25519"
    key_id: str
    pem: str
    verifier_key: str = Field(
        description="The key as a signed-note verifier key: name+keyid+base64(0x01 || key)"
    )


class InclusionProofRead(BaseModel):
    seq: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str] = Field(description="Sibling hashes from the leaf up, hex")
    entry: dict[str, Any] = Field(description="The full entry, as exported")


class ConsistencyProofRead(BaseModel):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]
