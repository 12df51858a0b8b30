"""Webhook subscriptions and deliveries as admins and auditors see them: never the secret."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from governance_engine.persistence.models import WebhookSubscription
from governance_engine.services.webhook_subscriptions import DeliveryView, NewSubscription

DeliveryStatus = Literal["pending", "delivered", "failed"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.example.org/governance",
                    "event_types": ["ballot.*", "decision.recorded"],
                    "description": "chat notifications",
                }
            ]
        },
    )

    url: str = Field(max_length=2000, description="http:// or https://; no credentials")
    event_types: list[str] = Field(
        min_length=1,
        max_length=100,
        description="Decision-log actions (`ballot.closed`), families (`ballot.*`), "
        "`ballot.reminder`, or `*` for everything",
    )
    secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=200,
        description="The HMAC signing secret; generated when omitted",
    )
    description: str = Field(default="", max_length=2000)


class WebhookLinks(BaseModel):
    self: str
    deliveries: str
    disable: str
    enable: str


class WebhookRead(BaseModel):
    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_by_id: int
    created_at: datetime
    links: WebhookLinks

    @classmethod
    def of(cls, subscription: WebhookSubscription) -> WebhookRead:
        base = f"/api/v1/webhooks/{subscription.id}"
        return cls(
            id=subscription.id,
            url=subscription.url,
            event_types=list(subscription.event_types),
            description=subscription.description,
            active=subscription.active,
            created_by_id=subscription.created_by_id,
            created_at=subscription.created_at,
            links=WebhookLinks(
                self=base,
                deliveries=f"{base}/deliveries",
                disable=f"{base}/disable",
                enable=f"{base}/enable",
            ),
        )


class WebhookCreated(WebhookRead):
    secret: str = Field(
        description="The signing secret (Standard Webhooks: `whsec_` and base64). Shown in "
        "this response only: keep it to verify `webhook-signature`.",
        examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw8bsKhPJMYHk="],
    )

    @classmethod
    def of_new(cls, new: NewSubscription) -> WebhookCreated:
        return cls(**WebhookRead.of(new.subscription).model_dump(), secret=new.secret)


class DeliveryRead(BaseModel):
    id: int
    webhook_id: int
    event_id: int
    event_type: str = Field(examples=["ballot.closed"])
    log_seq: int | None = Field(description="The decision-log entry, for log events")
    status: DeliveryStatus
    attempts: int = Field(description="Attempts started since it was queued or redelivered")
    next_attempt_at: datetime | None = Field(description="When it is tried next, while pending")
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="null when the endpoint never answered")
    last_error: str
    delivered_at: datetime | None
    created_at: datetime
    redeliver: str = Field(description="POST here to send it again")

    @classmethod
    def of(cls, view: DeliveryView) -> DeliveryRead:
        delivery, event = view.delivery, view.event
        return cls(
            id=delivery.id,
            webhook_id=delivery.subscription_id,
            event_id=event.id,
            event_type=event.event_type,
            log_seq=event.log_seq,
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
            last_attempt_at=delivery.last_attempt_at,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
            redeliver=f"/api/v1/webhooks/deliveries/{delivery.id}/redeliver",
        )
