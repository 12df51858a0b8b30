"""``/api/v1/log``: the decision log, for auditors and admins: read it and verify it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime

from api.deps import CurrentAuditor, DatabaseDep
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.log import LogEntryRead, LogVerifyRead
from governance_engine.services import reads

router = APIRouter(prefix="/api/v1/log", tags=["log"], route_class=RetryingRoute)


@router.get(
    "",
    operation_id="list_log_entries",
    response_model=Page[LogEntryRead],
    responses=responses(401, 403, 422),
)
def list_log_entries(
    database: DatabaseDep,
    auditor: CurrentAuditor,
    page: PageDep,
    proposal_id: Annotated[int | None, Query(ge=1)] = None,
    body: Annotated[str | None, Query(max_length=64, description="Body slug")] = None,
    actor_id: Annotated[int | None, Query(ge=1, description="Who acted")] = None,
    action: Annotated[
        str | None, Query(max_length=64, examples=["vote.changed"], description="Exact action")
    ] = None,
    since: Annotated[
        AwareDatetime | None,
        Query(description="Recorded at or after; timezone-aware ISO-8601"),
    ] = None,
    until: Annotated[
        AwareDatetime | None,
        Query(description="Recorded before; timezone-aware ISO-8601"),
    ] = None,
) -> Page[LogEntryRead]:
    """Entries in seq order (auditors and admins). Admins who are not auditors see secret
    ballots' votes redacted, as everyone else does."""
    with database.reader() as session:
        found = reads.log_page(
            session,
            viewer=auditor,
            after=int_after(page),
            limit=page.limit + 1,
            proposal_id=proposal_id,
            body=body,
            actor_id=actor_id,
            action=action,
            since=since,
            until=until,
        )
        items = [LogEntryRead.of(view) for view in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.seq)


@router.get(
    "/verify",
    operation_id="verify_log",
    response_model=LogVerifyRead,
    responses=responses(401, 403),
)
def verify_log(request: Request, database: DatabaseDep, auditor: CurrentAuditor) -> LogVerifyRead:
    """Recompute the hash chain from the first entry and check it against the chain head and
    the latest signed checkpoint (no rollback, no rewrite); name the first broken seq or the
    checkpoint it contradicts, if any (auditors and admins)."""
    key = request.app.state.signing_key.public_key()
    with database.reader() as session:
        result = reads.verify_log(session, viewer=auditor, public_key=key)
    return LogVerifyRead(
        ok=result.ok,
        checked=result.checked,
        broken_seq=result.broken_seq,
        reason=result.reason,
        head_hash=result.head_hash,
    )
