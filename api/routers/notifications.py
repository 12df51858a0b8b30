"""``/api/v1/notifications``: what the caller should see (reminders and other notices)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import ClockDep, CurrentActor, DatabaseDep
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.notifications import NotificationRead
from governance_engine.services import notifications

router = APIRouter(
    prefix="/api/v1/notifications", tags=["notifications"], route_class=RetryingRoute
)

# Ids are 32-bit on PostgreSQL: anything larger names nothing and is refused as input.
NotificationId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A notification's id")]


@router.get(
    "",
    operation_id="list_notifications",
    response_model=Page[NotificationRead],
    responses=responses(401, 403, 422),
)
def list_notifications(
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    unread: Annotated[bool, Query(description="Only those not yet marked read")] = False,
) -> Page[NotificationRead]:
    """The caller's notifications, newest first."""
    with database.reader() as session:
        found = notifications.list_notifications(
            session,
            viewer=actor,
            before=int_after(page) or None,
            limit=page.limit + 1,
            unread_only=unread,
        )
        items = [NotificationRead.of(notification) for notification in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.post(
    "/{notification_id}/read",
    operation_id="mark_notification_read",
    response_model=NotificationRead,
    responses=responses(401, 403, 404, 422),
)
def mark_read(
    notification_id: NotificationId, database: DatabaseDep, clock: ClockDep, actor: CurrentActor
) -> NotificationRead:
    """Mark one of the caller's notifications read (again is harmless: the first time stays)."""
    with database.transaction() as session:
        notification = notifications.mark_read(
            session, viewer=actor, at=clock.now(), notification_id=notification_id
        )
        return NotificationRead.of(notification)
