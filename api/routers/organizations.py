"""``/api/v1/organizations``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/organizations", tags=["organizations"])
