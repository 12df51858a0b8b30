"""``/api/v1/log/witnesses`` and cosignatures: member organizations co-sign checkpoints.

Admins register witness keys; witnesses post cosignatures without an account (a cosignature
by a registered key is its own credential; any other is refused); auditors read them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from api.deps import ClockDep, CurrentActor, CurrentAuditor, DatabaseDep
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.witnesses import CosignatureRead, WitnessCreate, WitnessRead
from governance_engine.errors import InvalidInput
from governance_engine.services import witnesses

router = APIRouter(prefix="/api/v1/log", tags=["log"], route_class=RetryingRoute)

TreeSize = Annotated[int, Path(ge=0, le=2**62, description="The checkpoint's tree size")]
_MAX_COSIGNATURES_BODY = 64 * 1024


async def _text_body(request: Request) -> str:
    body = await request.body()
    if len(body) > _MAX_COSIGNATURES_BODY:
        raise InvalidInput("send at most 64 KiB of cosignature lines")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("cosignature lines must be UTF-8 text") from None


TextBody = Annotated[str, Depends(_text_body)]


def _read(row: object) -> WitnessRead:
    return WitnessRead.model_validate(row, from_attributes=True)


@router.post(
    "/witnesses",
    status_code=201,
    operation_id="register_witness",
    response_model=WitnessRead,
    responses=responses(401, 403, 409, 422),
)
def register_witness(
    body: WitnessCreate, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> WitnessRead:
    """Register a witness's cosigning key (admins); the registration is logged."""
    with database.transaction() as session:
        row = witnesses.register(
            session, actor=actor, at=clock.now(), verifier_key=body.verifier_key
        )
        return _read(row)


@router.get(
    "/witnesses",
    operation_id="list_witnesses",
    response_model=list[WitnessRead],
    responses=responses(401, 403),
)
def list_witnesses(database: DatabaseDep, auditor: CurrentAuditor) -> list[WitnessRead]:
    with database.reader() as session:
        return [_read(row) for row in witnesses.list_keys(session)]


@router.post(
    "/checkpoints/{tree_size}/cosignatures",
    status_code=201,
    operation_id="add_cosignatures",
    response_model=list[CosignatureRead],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Cosignature lines (`— name base64`), or the whole cosigned note",
        }
    },
    responses=responses(403, 404, 422),
)
def add_cosignatures(
    tree_size: TreeSize, text: TextBody, database: DatabaseDep, clock: ClockDep
) -> list[CosignatureRead]:
    """A witness's cosignature of the checkpoint of `tree_size` (c2sp.org/tlog-cosignature).
    No token: it must verify with a witness key an admin registered (else 403)."""
    with database.transaction() as session:
        witnesses.add_cosignatures(session, tree_size=tree_size, text=text, at=clock.now())
        found = witnesses.cosignatures(session, tree_size)
    return [
        CosignatureRead(witness=c.witness, cosigned_at=c.cosigned_at, line=c.line) for c in found
    ]


@router.get(
    "/checkpoints/{tree_size}/cosignatures",
    operation_id="list_cosignatures",
    response_model=list[CosignatureRead],
    responses=responses(401, 403),
)
def list_cosignatures(
    tree_size: TreeSize, database: DatabaseDep, auditor: CurrentAuditor
) -> list[CosignatureRead]:
    with database.reader() as session:
        found = witnesses.cosignatures(session, tree_size)
    return [
        CosignatureRead(witness=c.witness, cosigned_at=c.cosigned_at, line=c.line) for c in found
    ]
