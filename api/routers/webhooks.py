"""``/api/v1/webhooks``: subscriptions and their deliveries (admins)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
