"""``/api/v1/log``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/log", tags=["log"])
