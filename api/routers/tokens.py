"""``/api/v1/tokens``: issue (admins), list and revoke API tokens.

A token's secret is in the issuing response only: it is stored as a SHA-256 hash, and neither
the secret nor the hash appears in any other response or in the decision log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from api.deps import ClockDep, CurrentActor, DatabaseDep
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.tokens import TokenIssue, TokenIssued, TokenRead, TokenRevoke
from governance_engine.errors import InvalidInput
from governance_engine.services import directory, directory_reads

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"], route_class=RetryingRoute)


@router.post(
    "",
    status_code=201,
    operation_id="issue_token",
    response_model=TokenIssued,
    responses={
        201: {"description": "Issued; keep the secret"},
        **responses(401, 403, 404, 409, 422),
    },
)
def issue_token(
    body: TokenIssue,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Refused (422): a replay would have to store the secret to return it.",
        ),
    ] = None,
) -> JSONResponse:
    """Issue an API token to a person (admins). The response is the only place the secret
    ever appears; a lost secret means a new token (and revoking the old one)."""
    if idempotency_key is not None:
        raise InvalidInput(
            "tokens are not issued idempotently: replaying the response would mean storing "
            "the secret; retry without Idempotency-Key and revoke any token you did not receive",
            field="Idempotency-Key",
        )
    with database.transaction() as session:
        new = directory.issue_token_to(
            session,
            actor=actor,
            at=clock.now(),
            person_id=body.person_id,
            label=body.label,
            expires_at=body.expires_at,
        )
        issued = TokenIssued.of_new(new)
    headers = {"Cache-Control": "no-store"}
    return JSONResponse(issued.model_dump(mode="json"), status_code=201, headers=headers)


@router.get(
    "",
    operation_id="list_tokens",
    response_model=Page[TokenRead],
    responses=responses(401, 403, 422),
)
def list_tokens(
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    person_id: Annotated[
        int | None, Query(ge=1, description="Whose tokens (admins; others see their own)")
    ] = None,
) -> Page[TokenRead]:
    """Tokens without their secrets: every token for admins, one's own for everyone else."""
    with database.reader() as session:
        found = directory_reads.list_tokens(
            session, viewer=actor, after=int_after(page), limit=page.limit + 1, person_id=person_id
        )
    items = [TokenRead.of(token) for token in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.post(
    "/{token_id}/revoke",
    operation_id="revoke_token",
    response_model=TokenRead,
    responses=responses(401, 403, 404, 409, 422),
)
def revoke_token(
    token_id: int,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    body: TokenRevoke | None = None,
) -> TokenRead:
    """Revoke a token for good (its owner, or an admin); it gets 401 from then on."""
    with database.transaction() as session:
        token = directory.revoke_token(
            session,
            actor=actor,
            at=clock.now(),
            token_id=token_id,
            reason=body.reason if body else "",
        )
        return TokenRead.of(token)
