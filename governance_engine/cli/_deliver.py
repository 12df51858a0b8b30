"""``governance-engine deliver``: one pass of webhook deliveries."""

from __future__ import annotations

from governance_engine.cli._common import Commands


def register(commands: Commands) -> None:
    """Filled in with the webhook delivery worker."""
    del commands
