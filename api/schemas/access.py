"""Signing in: identity links, invitations, ended sessions, organizations' e-mail domains."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from governance_engine.persistence.models import IdentityLink, LinkedHow


class IdentityCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"issuer": "https://accounts.google.com", "subject": "1098234..."}]
        },
    )

    issuer: str = Field(
        min_length=8, max_length=500, description="The provider's issuer URL, as configured"
    )
    subject: str = Field(
        min_length=1, max_length=255, description="The person's `sub` at that provider"
    )


class IdentityRead(BaseModel):
    id: int
    person_id: int
    issuer: str
    subject: str
    linked_how: LinkedHow
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, link: IdentityLink) -> IdentityRead:
        return cls(
            id=link.id,
            person_id=link.person_id,
            issuer=link.issuer,
            subject=link.subject,
            linked_how=LinkedHow(link.linked_how),
            created_at=link.created_at,
            revoked_at=link.revoked_at,
        )


class InvitationRead(BaseModel):
    id: int
    person_id: int
    expires_at: datetime
    url: str = Field(description="The one-time link, shown once (also mailed when e-mail is on)")
    emailed: bool = Field(description="Whether the mail server accepted the invitation mail")
    email_error: str | None = Field(
        default=None, description="Why it was not mailed, when it was not"
    )


class SessionsEnded(BaseModel):
    person_id: int
    sessions_ended: int


class EmailDomains(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email_domains": ["northwind.example"]}]}
    )

    email_domains: list[str] = Field(
        max_length=50,
        description="Domains whose verified addresses may link this "
        "organization's people to an OpenID identity; each claimed by one organization",
    )
