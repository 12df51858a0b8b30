"""Idempotent creation: a retry with the same key gets the first response, scoped per person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from governance_engine.errors import InvalidInput
from governance_engine.persistence.models import IdempotencyRecord
from governance_engine.persistence.repositories import idempotency as queries

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters",
            field="Idempotency-Key",
        )
    return key


@dataclass(frozen=True)
class RequestIdentity:
    """Who sent which request under which key."""

    person_id: int
    key: str
    method: str
    path: str
    request_digest: str


def recall(session: Session, request: RequestIdentity) -> StoredResponse | None:
    """The first response to this key, or None; a different request under the key is refused."""
    record = queries.find(session, person_id=request.person_id, key=request.key)
    if record is None:
        return None
    sent = (request.method, request.path, request.request_digest)
    if (record.method, record.path, record.request_digest) != sent:
        raise InvalidInput(
            "this Idempotency-Key was already used with a different request",
            field="Idempotency-Key",
        )
    return StoredResponse(record.status_code, record.response)


def remember(
    session: Session, request: RequestIdentity, *, response: StoredResponse, at: datetime
) -> None:
    session.add(
        IdempotencyRecord(
            person_id=request.person_id,
            key=request.key,
            method=request.method,
            path=request.path,
            request_digest=request.request_digest,
            status_code=response.status_code,
            response=response.body,
            created_at=at,
        )
    )
    session.flush()
