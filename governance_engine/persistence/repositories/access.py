"""Queries for signing in: identity links, invitations, e-mail links, sessions to end."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from governance_engine.persistence.models import (
    IdentityLink,
    Invitation,
    Organization,
    SignInLink,
    WebSession,
)


def live_link(session: Session, *, issuer: str, subject: str) -> IdentityLink | None:
    statement = select(IdentityLink).where(
        IdentityLink.issuer == issuer,
        IdentityLink.subject == subject,
        IdentityLink.revoked_at.is_(None),
    )
    return session.scalars(statement).one_or_none()


def links_of(session: Session, person_id: int) -> list[IdentityLink]:
    statement = (
        select(IdentityLink).where(IdentityLink.person_id == person_id).order_by(IdentityLink.id)
    )
    return list(session.scalars(statement))


def invitation_by_hash(session: Session, token_hash: str) -> Invitation | None:
    statement = select(Invitation).where(Invitation.token_hash == token_hash).with_for_update()
    return session.scalars(statement).one_or_none()


def sign_in_link_by_hash(session: Session, token_hash: str) -> SignInLink | None:
    statement = select(SignInLink).where(SignInLink.token_hash == token_hash).with_for_update()
    return session.scalars(statement).one_or_none()


def organizations_with_domains(session: Session) -> list[Organization]:
    """Organizations that claim at least one e-mail domain (a few hundred at most)."""
    statement = select(Organization).order_by(Organization.id)
    return [org for org in session.scalars(statement) if org.email_domains]


def end_sessions(
    session: Session, *, at: datetime, person_id: int | None = None, identity_id: int | None = None
) -> int:
    """End the live sessions of a person, or those opened with one identity link; how many."""
    statement = update(WebSession).where(WebSession.ended_at.is_(None), WebSession.expires_at > at)
    if person_id is not None:
        statement = statement.where(WebSession.person_id == person_id)
    if identity_id is not None:
        statement = statement.where(WebSession.identity_id == identity_id)
    result = session.execute(
        statement.values(ended_at=at).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
