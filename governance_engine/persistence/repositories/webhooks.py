"""Queries over webhook subscriptions, outbox events and their deliveries."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, aliased

from governance_engine.persistence.models import (
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
    table_of,
)

_subscriptions = table_of(WebhookSubscription)
# Core, not ORM: this runs for every log entry, inside the append that writes it.
_ACTIVE_TYPES = (
    select(_subscriptions.c.id, _subscriptions.c.event_types)
    .where(_subscriptions.c.active.is_(True))
    .order_by(_subscriptions.c.id)
)


def active_subscription_types(session: Session) -> list[tuple[int, list[str]]]:
    """(id, event types) of every active subscription: the fan-out of each new event."""
    return [(row.id, list(row.event_types)) for row in session.connection().execute(_ACTIVE_TYPES)]


def subscription(
    session: Session, subscription_id: int, *, for_update: bool = False
) -> WebhookSubscription | None:
    return session.get(
        WebhookSubscription, subscription_id, with_for_update=for_update, populate_existing=True
    )


def subscriptions_page(session: Session, *, after: int, limit: int) -> list[WebhookSubscription]:
    statement = (
        select(WebhookSubscription)
        .where(WebhookSubscription.id > after)
        .order_by(WebhookSubscription.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def subscriptions_by_id(session: Session, ids: Collection[int]) -> dict[int, WebhookSubscription]:
    if not ids:
        return {}
    statement = select(WebhookSubscription).where(WebhookSubscription.id.in_(ids))
    return {row.id: row for row in session.scalars(statement)}


def delivery(
    session: Session, delivery_id: int, *, for_update: bool = False
) -> WebhookDelivery | None:
    return session.get(
        WebhookDelivery, delivery_id, with_for_update=for_update, populate_existing=True
    )


def deliveries_page(
    session: Session,
    *,
    subscription_id: int,
    before: int | None,
    limit: int,
    status: str | None = None,
) -> list[tuple[WebhookDelivery, OutboxEvent]]:
    """A subscription's deliveries with their events, newest first, before a cursor."""
    statement = (
        select(WebhookDelivery, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.subscription_id == subscription_id)
    )
    if before is not None:
        statement = statement.where(WebhookDelivery.id < before)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    statement = statement.order_by(WebhookDelivery.id.desc()).limit(limit)
    return [(row[0], row[1]) for row in session.execute(statement)]


def event(session: Session, event_id: int) -> OutboxEvent | None:
    return session.get(OutboxEvent, event_id)


def events_by_id(session: Session, ids: Collection[int]) -> dict[int, OutboxEvent]:
    if not ids:
        return {}
    statement = select(OutboxEvent).where(OutboxEvent.id.in_(ids))
    return {row.id: row for row in session.scalars(statement)}


def claimable(session: Session, *, now: datetime, limit: int) -> list[WebhookDelivery]:
    """Due deliveries at the head of their subscription's queue, locked for the caller.

    The head is the pending delivery with the lowest event id: a later event waits while an
    earlier one is pending for the same subscription, so each endpoint gets events in order.
    PostgreSQL locks the rows and skips those another worker holds (``SKIP LOCKED``);
    SQLite has no row locks, and its writers already run one at a time (``BEGIN IMMEDIATE``).
    """
    earlier = aliased(WebhookDelivery)
    blocked = exists().where(
        earlier.subscription_id == WebhookDelivery.subscription_id,
        earlier.status == "pending",
        earlier.event_id < WebhookDelivery.event_id,
    )
    statement = (
        select(WebhookDelivery)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            WebhookSubscription.active.is_(True),
            ~blocked,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(statement))


def finished_events(session: Session, *, before: datetime, limit: int) -> list[int]:
    """Events created before ``before`` with no delivery still pending, oldest first.

    Their deliveries are locked (PostgreSQL), so a redelivery cannot make one pending again
    between this read and the caller's delete.
    """
    pending = exists().where(
        WebhookDelivery.event_id == OutboxEvent.id, WebhookDelivery.status == "pending"
    )
    candidates = list(
        session.scalars(
            select(OutboxEvent.id)
            .where(OutboxEvent.created_at < before, ~pending)
            .order_by(OutboxEvent.id)
            .limit(limit)
        )
    )
    if not candidates:
        return []
    locked = session.execute(
        select(WebhookDelivery.event_id, WebhookDelivery.status)
        .where(WebhookDelivery.event_id.in_(candidates))
        .with_for_update()
    )
    still_pending = {event_id for event_id, status in locked if status == "pending"}
    return [event_id for event_id in candidates if event_id not in still_pending]


def delete_events(session: Session, event_ids: Collection[int]) -> None:
    """Delete events and all their deliveries."""
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(event_ids)))
    session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(event_ids)))
