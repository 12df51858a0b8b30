"""Run a creating request at most once per (person, ``Idempotency-Key``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.deps import ClockDep, CurrentActor, DatabaseDep
from governance_engine.clock import Clock
from governance_engine.errors import ConcurrentUpdate
from governance_engine.persistence.database import Database
from governance_engine.services import idempotency
from governance_engine.services.idempotency import RequestIdentity, StoredResponse
from governance_engine.services.identity import Actor

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Any unique string; a retry with the same key returns the first response.",
    ),
]

Work = Callable[[Session], tuple[int, dict[str, Any], dict[str, str]]]


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run_once(
    *,
    request: Request,
    database: Database,
    clock: Clock,
    actor: Actor,
    key: str | None,
    payload: Any,
    work: Work,
) -> JSONResponse:
    """Run ``work`` in one unit of work; with a key, store or replay its response there too.

    ``work`` returns (status, JSON body, headers). Errors are not stored: a failed request
    may be retried with the same key.
    """
    if key is None or actor.person_id is None:
        with database.transaction() as session:
            status, body, headers = work(session)
        return JSONResponse(body, status_code=status, headers=headers)
    key = idempotency.check_key(key)
    identity = RequestIdentity(
        person_id=actor.person_id,
        key=key,
        method=request.method,
        path=request.url.path,
        request_digest=_digest(payload),
    )
    for attempt in (1, 2):
        try:
            with database.transaction() as session:
                stored = idempotency.recall(session, identity)
                if stored is not None:
                    return JSONResponse(
                        stored.body,
                        status_code=stored.status_code,
                        headers={"Idempotent-Replayed": "true"},
                    )
                status, body, headers = work(session)
                idempotency.remember(
                    session, identity, response=StoredResponse(status, body), at=clock.now()
                )
            return JSONResponse(body, status_code=status, headers=headers)
        except ConcurrentUpdate:
            if attempt == 2:
                raise
            # a concurrent request with the same key committed first: replay its response
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Once:
    """What a creating route needs to run its unit of work at most once per key."""

    request: Request
    database: Database
    clock: Clock
    actor: Actor
    key: str | None

    def run(self, body: BaseModel, work: Work) -> JSONResponse:
        """Run ``work`` once for this request's ``Idempotency-Key``; ``body`` identifies it."""
        return run_once(
            request=self.request,
            database=self.database,
            clock=self.clock,
            actor=self.actor,
            key=self.key,
            payload=body.model_dump(mode="json"),
            work=work,
        )


def _once(
    request: Request,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    idempotency_key: IdempotencyKey = None,
) -> Once:
    return Once(request, database, clock, actor, idempotency_key)


RunOnce = Annotated[Once, Depends(_once)]
"""A creating route's dependency: ``return once.run(body, work)``."""
