"""Who is acting: people, admins, and bearer tokens (random, shown once, stored as a hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotAuthenticated
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import ApiToken, Person
from governance_engine.persistence.repositories import directory
from governance_engine.services.actor import Actor
from governance_engine.services.permissions import require_admin

__all__ = [
    "TOKEN_PREFIX",
    "Actor",
    "IssuedToken",
    "authenticate",
    "create_admin",
    "create_person",
    "hash_token",
    "issue_token",
]

TOKEN_PREFIX = "ge_"  # noqa: S105 - a public marker, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token_id: int
    person_id: int
    secret: str  # shown once; only its SHA-256 is stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _validate_person(name: str, email: str) -> tuple[str, str]:
    name, email = name.strip(), email.strip().lower()
    if not name or len(name) > 200:
        raise InvalidInput("a person's name must have 1 to 200 characters", field="name")
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 320 or any(c.isspace() for c in email):
        raise InvalidInput(f"{email!r} is not an email address", field="email")
    return name, email


def create_person(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    name: str,
    email: str,
    organization_id: int | None = None,
    is_admin: bool = False,
    is_auditor: bool = False,
) -> Person:
    """Add a person (admins; the system itself only to bootstrap the first admin)."""
    if actor.person_id is not None:
        require_admin(actor, "create people")
    name, email = _validate_person(name, email)
    if directory.person_by_email(session, email) is not None:
        raise Conflict(f"a person with email {email} already exists", field="email")
    person = Person(
        name=name,
        email=email,
        organization_id=organization_id,
        is_admin=is_admin,
        is_auditor=is_auditor,
        active=True,
        created_at=at,
    )
    session.add(person)
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="person.created",
        subject_type="person",
        subject_id=person.id,
        payload={
            "name": name,
            "email": email,
            "organization_id": organization_id,
            "is_admin": is_admin,
            "is_auditor": is_auditor,
        },
    )
    return person


def issue_token(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    person: Person,
    label: str = "",
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Issue a bearer token (admins; the system itself only to bootstrap the first admin)."""
    if actor.person_id is not None:
        require_admin(actor, "issue tokens")
    if expires_at is not None and expires_at <= at:
        raise InvalidInput("a token's expiry must be in the future", field="expires_at")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        person_id=person.id,
        token_hash=hash_token(secret),
        prefix=secret[:10],
        label=label[:200],
        created_at=at,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="token.issued",
        subject_type="token",
        subject_id=token.id,
        payload={"person_id": person.id, "label": token.label, "expires_at": expires_at},
    )
    return IssuedToken(token.id, person.id, secret)


def create_admin(session: Session, *, at: datetime, name: str, email: str) -> IssuedToken:
    """Bootstrap: the first admin and their token, entered by the system."""
    person = create_person(
        session, actor=Actor.system(), at=at, name=name, email=email, is_admin=True
    )
    return issue_token(session, actor=Actor.system(), at=at, person=person, label="create-admin")


def authenticate(session: Session, *, token: str, at: datetime) -> Actor:
    """The actor a bearer token stands for; NotAuthenticated for unknown, expired or revoked."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise NotAuthenticated("the bearer token is not valid")
    digest = hash_token(token)
    found = directory.token_and_person(session, digest)
    # Compare in constant time anyway: the lookup is by hash, but keep the check explicit.
    if found is None or not hmac.compare_digest(found[0].token_hash, digest):
        raise NotAuthenticated("the bearer token is not valid")
    stored, person = found
    if stored.revoked_at is not None:
        raise NotAuthenticated("the bearer token has been revoked")
    if stored.expires_at is not None and stored.expires_at <= at:
        raise NotAuthenticated("the bearer token has expired")
    if not person.active:
        raise NotAuthenticated("the bearer token's person is not active")
    return Actor.of(person)
