"""``log verify``: the hash chain, and the log against the latest signed checkpoint.

The chain alone cannot see entries cut from the end when the head is moved back with them
(a rollback): what is left is a valid, shorter chain. A signed checkpoint remembers how long
the log was and its Merkle root, so the log must be at least that long and its first entries
must still have that root. Checkpoint rows live in the same database, so an owner who also
deletes them escapes this check; witnesses (``services.witnesses``) close that gap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from governance_engine.log.chain import VerifyResult
from governance_engine.log.checkpoint import SignedCheckpoint
from governance_engine.log.note import VerifierKey
from governance_engine.persistence import log_writer
from governance_engine.persistence.repositories import checkpoints as queries
from governance_engine.services.checkpoints import to_signed
from governance_engine.services.witnesses import valid_witnesses


@dataclass(frozen=True)
class LogAudit:
    """The chain's verdict, and what the latest checkpoint adds to it."""

    chain: VerifyResult
    checkpoint: SignedCheckpoint | None = None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    def lines(self) -> list[str]:
        """What an auditor reads: the chain's verdict first, then each checkpoint finding."""
        if not self.chain.ok:
            return [self.chain.describe()]
        if self.problems:
            return list(self.problems)
        return [self.chain.describe(), *self.notes]

    def as_result(self) -> VerifyResult:
        """The audit as one chain-style result (the first problem, if any)."""
        if self.ok or not self.chain.ok:
            return self.chain
        return VerifyResult(
            ok=False,
            checked=self.chain.checked,
            broken_seq=None,
            reason=self.problems[0],
            head_hash=self.chain.head_hash,
        )


def audit_log(
    session: Session,
    *,
    public_key: Ed25519PublicKey | None = None,
    witnesses: int = 0,
    witness_keys: Sequence[VerifierKey] | None = None,
) -> LogAudit:
    """Rule (DESIGN §6): the log verifies on its chain, is at least as long as the latest
    signed checkpoint, and its first entries have the root that checkpoint signed; with
    ``witnesses`` N, at least N witnesses (``witness_keys``, else the registered ones) have
    validly co-signed that checkpoint."""
    audit = _audit(session, public_key)
    if witnesses <= 0 or not audit.ok:
        return audit
    if audit.checkpoint is None:
        problem = f"{witnesses} witness cosignatures required, but no checkpoint is signed yet"
        return dataclasses.replace(audit, problems=(problem,), notes=())
    names = valid_witnesses(session, audit.checkpoint, witness_keys)
    size = audit.checkpoint.tree_size
    if len(names) < witnesses:
        problem = (
            f"the latest checkpoint (size {size}) has {len(names)} valid witness "
            f"cosignature{'s' if len(names) != 1 else ''}, {witnesses} required"
            + (f" ({', '.join(names)})" if names else "")
        )
        return dataclasses.replace(audit, problems=(problem,), notes=())
    note = f"co-signed by {len(names)} witnesses: {', '.join(names)}"
    return dataclasses.replace(audit, notes=(*audit.notes, note))


def _audit(session: Session, public_key: Ed25519PublicKey | None) -> LogAudit:
    row = queries.latest(session)
    if row is None:
        result = log_writer.verify(session)
        return LogAudit(result, notes=("no checkpoint has been signed yet",))
    try:
        signed = to_signed(row, public_key)
    except (TypeError, ValueError) as error:
        result = log_writer.verify(session)
        problem = f"the latest checkpoint (size {row.tree_size}) is damaged: {error}"
        return LogAudit(result, problems=(problem,))
    result, root = log_writer.verify_with_prefix(session, prefix_size=signed.tree_size)
    if not result.ok:
        return LogAudit(result, signed)
    problems: list[str] = []
    size = signed.tree_size
    if public_key is not None and not signed.verify(public_key):
        problems.append(f"the checkpoint of size {size} is not signed by the checkpoint key")
    if result.checked < size:
        problems.append(
            f"rollback: the log has {result.checked} entries but the checkpoint signed at "
            f"{signed.timestamp:%Y-%m-%d %H:%M} UTC covers {size}; entries "
            f"{result.checked + 1}..{size} were removed"
        )
    elif root != signed.root_hash:
        problems.append(
            f"rewrite: entries 1..{size} do not have the Merkle root the checkpoint of size "
            f"{size} signed; the log is not the one it signed"
        )
    note = f"consistent with the latest checkpoint (size {size})"
    return LogAudit(result, signed, tuple(problems), () if problems else (note,))
