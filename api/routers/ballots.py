"""``/api/v1/ballots``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/ballots", tags=["ballots"])
