"""``/api/v1/log`` for auditors: signed checkpoints, Merkle proofs, the public key, exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse

from api.deps import ClockDep, CurrentActor, CurrentAuditor, DatabaseDep
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.transparency import (
    CheckpointRead,
    ConsistencyProofRead,
    InclusionProofRead,
    PublicKeyRead,
)
from governance_engine.errors import InvalidInput
from governance_engine.log.checkpoint import key_id, verifier_key
from governance_engine.persistence.database import Database
from governance_engine.services import checkpoints, exports, witnesses
from governance_engine.services.exports import Format, LogFilter
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_admin
from governance_engine.signing import public_key_pem

router = APIRouter(prefix="/api/v1/log", tags=["log"], route_class=RetryingRoute)


def _public(request: Request) -> Ed25519PublicKey:
    key: Ed25519PublicKey = request.app.state.signing_key.public_key()
    return key


@router.get(
    "/public-key",
    operation_id="log_public_key",
    response_model=PublicKeyRead,
)
def public_key(request: Request) -> PublicKeyRead:
    """The key that signs checkpoints. Public: anyone may check a checkpoint with it."""
    key = request.app.state.signing_key
    return PublicKeyRead(
        key_id=key_id(key.public_key()),
        pem=public_key_pem(key),
        verifier_key=verifier_key(key.public_key()).encode(),
    )


@router.get(
    "/checkpoints",
    operation_id="list_checkpoints",
    response_model=Page[CheckpointRead],
    responses=responses(401, 403, 422),
)
def list_checkpoints(
    request: Request, database: DatabaseDep, auditor: CurrentAuditor, page: PageDep
) -> Page[CheckpointRead]:
    key = _public(request)
    with database.reader() as session:
        rows = checkpoints.page(session, after=int_after(page), limit=page.limit + 1)
    items = [CheckpointRead.of(checkpoints.to_signed(row, key)) for row in rows[: page.limit]]
    return page_of(items, fetched=len(rows), request=page, key=lambda item: item.tree_size)


@router.get(
    "/checkpoints/latest",
    operation_id="latest_checkpoint",
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": "The latest checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint)",
            "content": {"text/plain": {}},
        },
        **responses(404),
    },
)
def latest_checkpoint(request: Request, database: DatabaseDep) -> PlainTextResponse:
    """The latest signed checkpoint, as a signed note with the witnesses' cosignatures
    received so far. Public, like the key: a checkpoint reveals no content of the log, and
    witnesses fetch it without an account."""
    key = _public(request)
    with database.reader() as session:
        row = checkpoints.latest_or_size(session, None)
        text = checkpoints.to_signed(row, key).signed_note(key)
        text += "".join(c.line + "\n" for c in witnesses.cosignatures(session, row.tree_size))
    return PlainTextResponse(text, media_type="text/plain; charset=utf-8")


@router.post(
    "/checkpoints",
    status_code=201,
    operation_id="create_checkpoint",
    response_model=CheckpointRead,
    responses=responses(401, 403),
)
def create_checkpoint(
    request: Request, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> CheckpointRead:
    """Sign the log as it stands now (admins; `serve` also does it periodically)."""
    require_admin(actor, "sign checkpoints")
    with database.transaction() as session:
        row = checkpoints.create_checkpoint(
            session, at=clock.now(), key=request.app.state.signing_key
        )
        return CheckpointRead.of(checkpoints.to_signed(row, _public(request)))


@router.get(
    "/proofs/inclusion",
    operation_id="inclusion_proof",
    response_model=InclusionProofRead,
    responses=responses(401, 403, 404, 422),
)
def inclusion_proof(
    database: DatabaseDep,
    auditor: CurrentAuditor,
    seq: Annotated[int, Query(ge=1)],
    tree_size: Annotated[int | None, Query(ge=1, description="Default: the whole log")] = None,
) -> InclusionProofRead:
    """Proof that entry `seq` is in the log of `tree_size` entries (RFC 6962 §2.1.1)."""
    with database.reader() as session:
        proof = checkpoints.prove_inclusion(session, seq=seq, tree_size=tree_size)
    return InclusionProofRead.model_validate(proof.to_dict())


@router.get(
    "/proofs/consistency",
    operation_id="consistency_proof",
    response_model=ConsistencyProofRead,
    responses=responses(422),
)
def consistency_proof(
    database: DatabaseDep,
    first: Annotated[int, Query(ge=0)],
    second: Annotated[int | None, Query(ge=0, description="Default: the whole log")] = None,
) -> ConsistencyProofRead:
    """Proof that the log of `second` entries extends the one of `first` (RFC 6962 §2.1.2).
    Public, like checkpoints: it holds hashes only, and witnesses check it without an account."""
    with database.reader() as session:
        proof = checkpoints.prove_consistency(session, first=first, second=second)
    return ConsistencyProofRead.model_validate(proof.to_dict())


def _stream(database: Database, filters: LogFilter, format: Format, viewer: Actor) -> Iterator[str]:
    with database.reader() as session:
        yield from exports.export_lines(
            session, filters=filters, format=format, viewer=viewer, mark_damage=True
        )


@router.get(
    "/export",
    operation_id="export_log",
    responses={
        200: {
            "description": "The log, streamed",
            "content": {"application/jsonl": {}, "text/csv": {}},
        },
        **responses(401, 403, 422),
    },
)
def export_log(
    database: DatabaseDep,
    auditor: CurrentAuditor,
    format: Annotated[Format, Query()] = "jsonl",
    proposal_id: Annotated[int | None, Query(ge=1)] = None,
    body: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: Annotated[int | None, Query(ge=1)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[datetime | None, Query(description="ISO-8601 with a time zone")] = None,
    until: Annotated[datetime | None, Query(description="ISO-8601 with a time zone")] = None,
) -> StreamingResponse:
    """The log as JSON Lines or CSV. An unfiltered JSON Lines export verifies offline."""
    for moment, name in ((since, "since"), (until, "until")):
        if moment is not None and moment.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone", field=name)
    filters = LogFilter(
        proposal_id=proposal_id,
        body=body,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
    )
    filename = f"governance-log.{format}"
    return StreamingResponse(
        _stream(database, filters, format, auditor),
        media_type=exports.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
