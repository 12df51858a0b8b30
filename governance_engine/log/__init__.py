"""Pure decision-log computations: canonical JSON and the SHA-256 hash chain."""

from governance_engine.log.canonical import (
    canonical_json,
    format_timestamp,
    normalize,
    parse_timestamp,
)
from governance_engine.log.chain import (
    GENESIS_HASH,
    EntryContent,
    StoredEntry,
    VerifyResult,
    entry_hash,
    verify_chain,
)

__all__ = [
    "GENESIS_HASH",
    "EntryContent",
    "StoredEntry",
    "VerifyResult",
    "canonical_json",
    "entry_hash",
    "format_timestamp",
    "normalize",
    "parse_timestamp",
    "verify_chain",
]
