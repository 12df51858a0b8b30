"""Checks every service makes before it writes, so the API and the pages cannot disagree."""

from __future__ import annotations

from governance_engine.errors import PermissionDenied
from governance_engine.services.actor import Actor


def require_writer(actor: Actor) -> None:
    """Auditors read everything and write nothing, whatever other seats they hold."""
    if actor.is_auditor:
        raise PermissionDenied(f"{actor.name} is an auditor: auditors may read but not write")


def require_admin(actor: Actor, doing: str) -> None:
    require_writer(actor)
    if not actor.is_admin:
        raise PermissionDenied(f"only an admin may {doing}")
