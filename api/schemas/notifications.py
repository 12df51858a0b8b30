"""Notifications as their owner sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from governance_engine.persistence.models import Notification


class NotificationRead(BaseModel):
    id: int
    kind: str = Field(examples=["ballot.reminder"])
    payload: dict[str, Any] = Field(
        description="What it is about; a reminder names the ballot, proposal, body, deadline "
        "and has a `message` to show"
    )
    created_at: datetime
    read_at: datetime | None = Field(description="null while unread")
    emailed_at: datetime | None = Field(description="When it was emailed, if email is on")
    read: str = Field(description="POST here to mark it read")

    @classmethod
    def of(cls, notification: Notification) -> NotificationRead:
        return cls(
            id=notification.id,
            kind=notification.kind,
            payload=dict(notification.payload),
            created_at=notification.created_at,
            read_at=notification.read_at,
            emailed_at=notification.emailed_at,
            read=f"/api/v1/notifications/{notification.id}/read",
        )
