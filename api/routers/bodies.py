"""``/api/v1/bodies``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/bodies", tags=["bodies"])
