"""Witnesses: member organizations that co-sign the log's checkpoints (c2sp.org/tlog-cosignature).

A witness keeps the last checkpoint it accepted and co-signs a newer one only after checking
a consistency proof between the two: its cosignature says "this is the largest tree I have
seen, and it extends every one I saw before". The log's key holder cannot then rewrite the
log and re-sign it without every witness noticing. Admins register witness keys; a
cosignature by any other key is refused. Cosignatures are stored and served with the
checkpoint to auditors; they are not log entries (the log would grow with every round).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from governance_engine.log import note
from governance_engine.log.checkpoint import SignedCheckpoint
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Cosignature, WitnessKey
from governance_engine.persistence.repositories import checkpoints as checkpoint_queries
from governance_engine.persistence.repositories import witnesses as queries
from governance_engine.services.checkpoints import to_signed
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_admin

_MAX_LINES = 100


def _witness_key(text: str) -> note.VerifierKey:
    try:
        key = note.parse_verifier_key(text)
    except note.NoteError as error:
        raise InvalidInput(f"not a witness verifier key: {error}", field="verifier_key") from None
    if key.kind != note.COSIGNATURE_V1:
        raise InvalidInput(
            "a witness key is a cosignature/v1 verifier key (type byte 0x04): run "
            "`governance-engine log witness --state DIR --name NAME --show-key`",
            field="verifier_key",
        )
    return key


def register(session: Session, *, actor: Actor, at: datetime, verifier_key: str) -> WitnessKey:
    """Rule: only admins register witnesses; one key per name. The registration is logged."""
    require_admin(actor, "register witness keys")
    key = _witness_key(verifier_key)
    if queries.key_named(session, key.name) is not None:
        raise Conflict(f"a witness named {key.name} is already registered")
    row = WitnessKey(
        name=key.name,
        verifier_key=key.encode(),
        registered_at=at,
        registered_by_id=actor.person_id,
    )
    session.add(row)
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="witness.registered",
        subject_type="witness",
        subject_id=row.id,
        payload={"name": key.name, "key_id": key.key_id.hex()},
    )
    return row


def list_keys(session: Session) -> list[WitnessKey]:
    return queries.all_keys(session)


def verifier(row: WitnessKey) -> note.VerifierKey:
    return note.parse_verifier_key(row.verifier_key)


def add_cosignatures(
    session: Session, *, tree_size: int, text: str, at: datetime
) -> list[Cosignature]:
    """Store each cosignature in ``text`` (signature lines, or a whole cosigned note) on the
    checkpoint of ``tree_size``. Refused: a key no admin registered (PermissionDenied), a
    cosignature that does not verify over that checkpoint (InvalidInput)."""
    row = checkpoint_queries.by_size(session, tree_size)
    if row is None:
        raise NotFound(f"there is no checkpoint of size {tree_size}")
    body = to_signed(row).note().decode("utf-8")
    signatures = _signature_lines(text)
    stored = []
    for signature in signatures:
        witness = queries.key_named(session, signature.name)
        if witness is None:
            raise PermissionDenied(f"{signature.name} is not a registered witness key")
        try:
            moment = note.verify_cosignature(body, signature, verifier(witness))
        except note.NoteError as error:
            raise InvalidInput(
                f"the cosignature by {signature.name} does not verify over the checkpoint of "
                f"size {tree_size}: {error}"
            ) from None
        existing = queries.cosignature(session, tree_size, witness.id)
        if existing is None:
            existing = Cosignature(tree_size=tree_size, witness_key_id=witness.id)
            session.add(existing)
        if existing.line is None or moment >= existing.cosigned_at:
            existing.cosigned_at, existing.line = moment, signature.line().rstrip("\n")
            existing.received_at = at
        stored.append(existing)
    session.flush()
    return stored


def _signature_lines(text: str) -> list[note.NoteSignature]:
    if "\n\n" in text:
        _, signatures = note.split(text if text.endswith("\n") else text + "\n")
        return [s for s in signatures if s.name != "governance-engine"]
    lines = [line for line in text.splitlines() if line.strip()]
    if not 1 <= len(lines) <= _MAX_LINES:
        raise InvalidInput("send 1 to 100 cosignature lines (`— name base64`)")
    try:
        _, signatures = note.split("x\n\n" + "\n".join(lines) + "\n")
    except note.NoteError as error:
        raise InvalidInput(f"not cosignature lines: {error}") from None
    return signatures


@dataclass(frozen=True)
class StoredCosignature:
    witness: str
    cosigned_at: int
    line: str


def cosignatures(session: Session, tree_size: int) -> list[StoredCosignature]:
    return [
        StoredCosignature(key.name, row.cosigned_at, row.line)
        for row, key in queries.cosignatures(session, tree_size)
    ]


def valid_witnesses(
    session: Session, signed: SignedCheckpoint, keys: Sequence[note.VerifierKey] | None = None
) -> list[str]:
    """The names of the witnesses whose stored cosignature on ``signed`` verifies, with
    ``keys`` (given by the auditor) or else the registered keys."""
    body = signed.note().decode("utf-8")
    trusted = {key.name: key for key in keys} if keys is not None else None
    names = []
    for row, witness in queries.cosignatures(session, signed.tree_size):
        key = trusted.get(witness.name) if trusted is not None else verifier(witness)
        if key is None:
            continue
        try:
            _, [signature] = note.split("x\n\n" + row.line + "\n")
            note.verify_cosignature(body, signature, key)
        except (note.NoteError, ValueError):
            continue
        names.append(witness.name)
    return names
