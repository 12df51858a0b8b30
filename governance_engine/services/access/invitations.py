"""Invitations and e-mail sign-in links: one-time secrets sent by e-mail, stored hashed.

An **invitation** is an admin's: it lasts ``INVITATION_LIFETIME`` and is used once, either to
link the identity the invited person signs in with at an OpenID provider, or to sign in
straight away (the e-mail proved the address is theirs).

A **sign-in link** is for people without single sign-on: asked for on the sign-in page with
an e-mail address, it lasts ``LINK_LIFETIME`` and is used once. The page answers the same
whether or not the address is known; only a known, active person gets a mail. How often an
address may ask is bounded by ``RateLimits.hit_sign_in_email`` at the edge.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, NotAuthenticated, NotFound
from governance_engine.persistence import log_writer
from governance_engine.persistence.mail_sender import Mail
from governance_engine.persistence.models import Invitation, Person, SignInLink, SignInMethod
from governance_engine.persistence.repositories import access as queries
from governance_engine.persistence.repositories import directory
from governance_engine.services import web_sessions
from governance_engine.services.actor import Actor
from governance_engine.services.permissions import require_admin
from governance_engine.services.web_sessions import SignedIn

INVITATION_LIFETIME = timedelta(days=7)
LINK_LIFETIME = timedelta(minutes=15)
INVITATION_PATH = "/sign-in/invitation"
LINK_PATH = "/sign-in/link"


class LinkRefused(NotAuthenticated):
    """An invitation or sign-in link that is unknown, used, or expired."""

    code = "link-refused"


@dataclass(frozen=True)
class Invited:
    invitation: Invitation
    url: str  # shown once: to the admin, and in the mail
    mail: Mail


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _secret() -> str:
    return secrets.token_urlsafe(32)


def invite(
    session: Session, *, actor: Actor, at: datetime, person_id: int, base_url: str
) -> Invited:
    """Invite a person (admins): a one-time link that lets them link an identity or sign in."""
    require_admin(actor, "invite people")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"there is no person {person_id}")
    if not person.active:
        raise Conflict(f"{person.name} is not active: reactivate them first")
    secret = _secret()
    invitation = Invitation(
        person_id=person.id,
        token_hash=_hash(secret),
        invited_by=actor.person_id,
        created_at=at,
        expires_at=at + INVITATION_LIFETIME,
        used_at=None,
    )
    session.add(invitation)
    session.flush()
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="invitation.sent",
        subject_type="person",
        subject_id=person.id,
        payload={"invitation_id": invitation.id, "expires_at": invitation.expires_at},
    )
    url = f"{base_url}{INVITATION_PATH}?token={secret}"
    days = INVITATION_LIFETIME.days
    mail = Mail(
        to_address=person.email,
        to_name=person.name,
        subject="You are invited to sign in to governance-engine",
        text=(
            f"Hello {person.name},\n\nyou are invited to take part in the alliance's governance.\n"
            f"Open this link within {days} days to sign in, or to link the account you sign in "
            f"with at your organization:\n\n{url}\n\nThe link works once. If you did not expect "
            "it, ignore this mail.\n"
        ),
    )
    return Invited(invitation, url, mail)


def check_invitation(session: Session, *, token: str, at: datetime) -> tuple[Invitation, Person]:
    """The live invitation ``token`` stands for, and its person; LinkRefused if none."""
    invitation = queries.invitation_by_hash(session, _hash(token.strip())) if token else None
    if invitation is None or invitation.used_at is not None:
        raise LinkRefused("this invitation is not valid (any more): ask an admin for a new one")
    if invitation.expires_at <= at:
        raise LinkRefused("this invitation has expired: ask an admin for a new one")
    person = session.get(Person, invitation.person_id)
    if person is None or not person.active:
        raise LinkRefused("this invitation's account is not active")
    return invitation, person


def redeem_invitation(session: Session, *, token: str, at: datetime) -> Person:
    """Use up an invitation (in the caller's unit of work) and return whom it invited."""
    invitation, person = check_invitation(session, token=token, at=at)
    invitation.used_at = at
    session.flush()
    return person


def sign_in_with_invitation(session: Session, *, token: str, at: datetime) -> SignedIn:
    person = redeem_invitation(session, token=token, at=at)
    return web_sessions.open_session(session, person=person, at=at, method=SignInMethod.INVITATION)


def request_sign_in_link(
    session: Session, *, email: str, at: datetime, base_url: str
) -> Mail | None:
    """A sign-in link for the active person with this address, as a mail; None for anyone
    else (the caller answers the same either way)."""
    person = directory.person_by_email(session, email.strip().lower())
    if person is None or not person.active:
        return None
    secret = _secret()
    session.add(
        SignInLink(
            person_id=person.id,
            token_hash=_hash(secret),
            created_at=at,
            expires_at=at + LINK_LIFETIME,
            used_at=None,
        )
    )
    session.flush()
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    url = f"{base_url}{LINK_PATH}?token={secret}"
    return Mail(
        to_address=person.email,
        to_name=person.name,
        subject="Your sign-in link for governance-engine",
        text=(
            f"Hello {person.name},\n\nopen this link within {minutes} minutes to sign in:\n\n"
            f"{url}\n\nIt works once. If you did not ask for it, ignore this mail: nobody can "
            "sign in without it.\n"
        ),
    )


def sign_in_with_link(session: Session, *, token: str, at: datetime) -> SignedIn:
    """Use up a sign-in link and open a session; LinkRefused if unknown, used or expired."""
    link = queries.sign_in_link_by_hash(session, _hash(token.strip())) if token else None
    if link is None or link.used_at is not None:
        raise LinkRefused("this sign-in link is not valid (any more): ask for a new one")
    if link.expires_at <= at:
        raise LinkRefused("this sign-in link has expired: ask for a new one")
    link.used_at = at
    person = session.get(Person, link.person_id)
    if person is None:
        raise LinkRefused("this sign-in link's account does not exist")
    return web_sessions.open_session(session, person=person, at=at, method=SignInMethod.EMAIL)
