"""``/api/v1/tokens``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])
