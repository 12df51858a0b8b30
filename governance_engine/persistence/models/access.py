"""Signing in as a person: identity links, invitations, e-mail sign-in links, rate counters."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from governance_engine.persistence.models.base import Base, Digest, UTCDateTime, enum_check


class LinkedHow(StrEnum):
    """How an identity came to be linked to a person."""

    ADMIN = "admin"
    INVITATION = "invitation"
    EMAIL_DOMAIN = "email_domain"


class SignInMethod(StrEnum):
    TOKEN = "token"  # noqa: S105 - a method name, not a secret
    OIDC = "oidc"
    EMAIL = "email"
    INVITATION = "invitation"


class IdentityLink(Base):
    """A verified identity at an OpenID provider (issuer + subject) that signs in a person.

    A revoked link is kept (history); at most one live link per issuer and subject.
    """

    __tablename__ = "identity_links"
    __table_args__ = (
        enum_check("linked_how", LinkedHow),
        Index(
            "uq_identity_links_live",
            "issuer",
            "subject",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    linked_how: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invitation(Base):
    """An admin's invitation: a one-time link (only its SHA-256 stored) sent to a person."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(Digest, unique=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInLink(Base):
    """A one-time e-mail sign-in link: short-lived, single use, only its SHA-256 stored."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(Digest, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateCounter(Base):
    """A fixed-window hit counter of the ``limits`` library, shared by every worker.

    ``expires_at`` is wall-clock seconds since the epoch, as ``limits`` counts windows.
    """

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
