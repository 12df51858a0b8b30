"""The directory: organizations, people, bodies, seats and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from governance_engine.persistence.models.base import (
    Base,
    Digest,
    JSONDocument,
    UTCDateTime,
    enum_check,
)


class OrganizationKind(StrEnum):
    COMPANY = "company"
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    NON_PROFIT = "non_profit"
    PUBLIC_AGENCY = "public_agency"


class BodyKind(StrEnum):
    """The kinds the engine itself knows. Kinds are open: any ``[a-z][a-z0-9_]*`` is a kind."""

    BOARD = "board"
    TOC = "toc"
    WORKING_GROUP = "working_group"


class SeatRole(StrEnum):
    CHAIR = "chair"
    CO_CHAIR = "co_chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    OBSERVER = "observer"


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (enum_check("kind", OrganizationKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Lower-case domains whose verified e-mail addresses may link an identity to one of
    # this organization's people (OpenID sign-in); each domain belongs to one organization.
    email_domains: Mapped[list[str]] = mapped_column(
        JSONDocument, default=list, server_default=text("'[]'")
    )


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_auditor: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Body(Base):
    __tablename__ = "bodies"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"), index=True)
    """Where formal objections to and appeals of this body's decisions go (None: none set)."""


class Seat(Base):
    """A person's membership of a body for a term.

    Seats are history: a term ends, it is never edited away.
    """

    __tablename__ = "seats"
    __table_args__ = (
        enum_check("role", SeatRole),
        CheckConstraint("term_end IS NULL OR term_end > term_start", name="term_order"),
        Index("ix_seats_body_person", "body_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    voting: Mapped[bool] = mapped_column(Boolean)
    term_start: Mapped[datetime] = mapped_column(UTCDateTime)
    term_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once, at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(Digest, unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
