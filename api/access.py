"""What signing in and rate limiting need at the edge: providers, limits, the mailer.

Built once at start (``AccessContext.build``) and kept on ``app.state.access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from governance_engine.config import Settings
from governance_engine.config_access import AccessSettings
from governance_engine.persistence.database import Database
from governance_engine.persistence.mail_sender import Mailer
from governance_engine.persistence.oidc_client import OidcClient
from governance_engine.services import notifications
from governance_engine.services.access import RateLimits


@dataclass
class AccessContext:
    settings: AccessSettings
    clients: dict[str, OidcClient]
    limits: RateLimits
    mailer: Mailer | None

    @classmethod
    def build(cls, settings: Settings, database: Database) -> AccessContext:
        access = settings.access
        return cls(
            settings=access,
            clients={p.name: OidcClient(p) for p in access.oidc_providers},
            limits=RateLimits.from_settings(access, database.engine),
            mailer=notifications.mailer_from(settings),
        )

    def base_url(self, request: Request) -> str:
        """Where people reach this service: GOVERNANCE_PUBLIC_URL, else what the request says."""
        return self.settings.public_url or str(request.base_url).rstrip("/")


def get_access(request: Request) -> AccessContext:
    access: AccessContext = request.app.state.access
    return access


AccessDep = Annotated[AccessContext, Depends(get_access)]
