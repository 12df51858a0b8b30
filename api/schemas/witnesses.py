"""Witness keys and cosignatures of checkpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class WitnessCreate(BaseModel):
    verifier_key: str = Field(
        max_length=400,
        description="The witness's cosignature/v1 verifier key, name+keyid+base64(0x04 || key), "
        "as `governance-engine log witness --show-key` prints it",
    )


class WitnessRead(BaseModel):
    id: int
    name: str
    verifier_key: str
    registered_at: datetime


class CosignatureRead(BaseModel):
    witness: str
    cosigned_at: int = Field(description="The cosignature's time, POSIX seconds")
    line: str = Field(description="The note signature line (c2sp.org/tlog-cosignature)")
