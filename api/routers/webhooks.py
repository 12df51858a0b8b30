"""``/api/v1/webhooks``: subscriptions and their deliveries (admins write, auditors read).

A subscription's signing secret is in the creating response only. Requests are signed as
Standard Webhooks says: ``webhook-id`` (the event id), ``webhook-timestamp`` (unix seconds) and
``webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``, keyed by the
base64-decoded secret after ``whsec_``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import JSONResponse

from api.deps import ClockDep, CurrentActor, DatabaseDep
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.webhooks import (
    DeliveryRead,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
)
from governance_engine.errors import InvalidInput
from governance_engine.services import webhook_subscriptions

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], route_class=RetryingRoute)

# Ids are 32-bit on PostgreSQL: anything larger names nothing and is refused as input.
WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A webhook's id")]
DeliveryId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A delivery's id")]


@router.post(
    "",
    status_code=201,
    operation_id="create_webhook",
    response_model=WebhookCreated,
    responses={
        201: {"description": "Registered; keep the secret"},
        **responses(401, 403, 422),
    },
)
def create_webhook(
    body: WebhookCreate,
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
    """Register an endpoint for events (admins). The response is the only place the signing
    secret ever appears."""
    if idempotency_key is not None:
        raise InvalidInput(
            "webhooks are not registered idempotently: replaying the response would mean "
            "storing the secret; retry without Idempotency-Key and disable any duplicate",
            field="Idempotency-Key",
        )
    with database.transaction() as session:
        new = webhook_subscriptions.create_subscription(
            session,
            actor=actor,
            at=clock.now(),
            url=body.url,
            event_types=body.event_types,
            secret=body.secret,
            description=body.description,
        )
        created = WebhookCreated.of_new(new)
    headers = {"Cache-Control": "no-store", "Location": created.links.self}
    return JSONResponse(created.model_dump(mode="json"), status_code=201, headers=headers)


@router.get(
    "",
    operation_id="list_webhooks",
    response_model=Page[WebhookRead],
    responses=responses(401, 403, 422),
)
def list_webhooks(database: DatabaseDep, actor: CurrentActor, page: PageDep) -> Page[WebhookRead]:
    """Every subscription, oldest first, without secrets (admins and auditors)."""
    with database.reader() as session:
        found = webhook_subscriptions.list_subscriptions(
            session, viewer=actor, after=int_after(page), limit=page.limit + 1
        )
        items = [WebhookRead.of(subscription) for subscription in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    "/{webhook_id}",
    operation_id="get_webhook",
    response_model=WebhookRead,
    responses=responses(401, 403, 404, 422),
)
def get_webhook(webhook_id: WebhookId, database: DatabaseDep, actor: CurrentActor) -> WebhookRead:
    with database.reader() as session:
        return WebhookRead.of(
            webhook_subscriptions.get_subscription(
                session, viewer=actor, subscription_id=webhook_id
            )
        )


@router.post(
    "/{webhook_id}/disable",
    operation_id="disable_webhook",
    response_model=WebhookRead,
    responses=responses(401, 403, 404, 422),
)
def disable_webhook(
    webhook_id: WebhookId, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> WebhookRead:
    """Stop sending to the endpoint (admins); pending deliveries stay unsent."""
    with database.transaction() as session:
        subscription = webhook_subscriptions.disable_subscription(
            session, actor=actor, at=clock.now(), subscription_id=webhook_id
        )
        return WebhookRead.of(subscription)


@router.post(
    "/{webhook_id}/enable",
    operation_id="enable_webhook",
    response_model=WebhookRead,
    responses=responses(401, 403, 404, 422),
)
def enable_webhook(
    webhook_id: WebhookId, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> WebhookRead:
    """Send to a disabled endpoint again (admins), same URL and secret. Pending deliveries
    are sent, oldest first; events logged while it was disabled are not."""
    with database.transaction() as session:
        subscription = webhook_subscriptions.enable_subscription(
            session, actor=actor, at=clock.now(), subscription_id=webhook_id
        )
        return WebhookRead.of(subscription)


@router.get(
    "/{webhook_id}/deliveries",
    operation_id="list_webhook_deliveries",
    response_model=Page[DeliveryRead],
    responses=responses(401, 403, 404, 422),
)
def list_deliveries(
    webhook_id: WebhookId,
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only this status")] = None,
) -> Page[DeliveryRead]:
    """The subscription's deliveries, newest first: status, attempts, last answer or error."""
    before = int_after(page) or None
    with database.reader() as session:
        found = webhook_subscriptions.list_deliveries(
            session,
            viewer=actor,
            subscription_id=webhook_id,
            before=before,
            limit=page.limit + 1,
            status=status,
        )
        items = [DeliveryRead.of(view) for view in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    operation_id="redeliver_webhook_delivery",
    response_model=DeliveryRead,
    responses=responses(401, 403, 404, 409, 422),
)
def redeliver(
    delivery_id: DeliveryId, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> DeliveryRead:
    """Queue a delivered or failed event again, with a fresh set of attempts (admins)."""
    with database.transaction() as session:
        view = webhook_subscriptions.redeliver(
            session, actor=actor, at=clock.now(), delivery_id=delivery_id
        )
        return DeliveryRead.of(view)
