"""``/api/v1/notifications``: what the caller should see (reminders and other notices)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])
