"""Browser sessions for the pages, and failed sign-ins (to slow down guessing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from governance_engine.persistence.models.base import Base, Digest, UTCDateTime


class WebSession(Base):
    """A signed-in browser. The cookie holds a random id; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(Digest, unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # What the session was opened with: an API token, a linked identity, or neither (an
    # e-mail link or an invitation); ``method`` says which (a SignInMethod).
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("identity_links.id"), index=True)
    method: Mapped[str] = mapped_column(String(16), default="token", server_default="token")
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInFailure(Base):
    """One failed sign-in, by source address; recent failures slow the next attempts."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_source_at", "source", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
