"""``/api/v1/proposals/{id}/comments``, ``/concerns``, ``/objections``: review before the vote."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/proposals", tags=["review"])
