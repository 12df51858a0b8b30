"""Which person a verified OpenID identity (issuer + subject) signs in, and linking one.

A identity signs in the person it is linked to. It gets linked:

- by an admin (``link_by_admin``), who names the issuer and subject;
- by an invitation: the invited person comes back from their provider with the invitation
  in hand (``sign_in_identity(invitation=...)``);
- by a verified e-mail: the provider says the address is verified (``email_verified``),
  its domain is one an organization claims (``Organization.email_domains``), and a person
  of that organization has exactly that address.

Anything else is refused with ``UnknownIdentity``: nobody gets an account by signing in.
Each link, and each revocation (which ends the sessions it opened), is in the decision log.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from governance_engine.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import IdentityLink, LinkedHow, Person, SignInMethod
from governance_engine.persistence.oidc_client import VerifiedIdentity
from governance_engine.persistence.repositories import access as queries
from governance_engine.persistence.repositories import directory
from governance_engine.services import web_sessions
from governance_engine.services.access.invitations import redeem_invitation
from governance_engine.services.actor import Actor
from governance_engine.services.permissions import require_admin
from governance_engine.services.web_sessions import SignedIn


class UnknownIdentity(NotAuthenticated):
    """A verified identity that is linked to nobody, and could not be linked."""

    code = "unknown-identity"


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"there is no person {person_id}")
    return person


def _log_link(session: Session, link: IdentityLink, *, actor_id: int | None, at: datetime) -> None:
    # The subject is the provider's identifier for the person: personal data, kept out of the
    # chain; the entry names the link, the person and the issuer.
    log_writer.append(
        session,
        at=at,
        actor_id=actor_id,
        action="identity.linked",
        subject_type="identity",
        subject_id=link.id,
        payload={"person_id": link.person_id, "issuer": link.issuer, "how": link.linked_how},
    )


def _link(
    session: Session, *, person: Person, issuer: str, subject: str, how: LinkedHow, at: datetime
) -> IdentityLink:
    if queries.live_link(session, issuer=issuer, subject=subject) is not None:
        raise Conflict("this identity is already linked to a person", field="subject")
    link = IdentityLink(
        person_id=person.id,
        issuer=issuer,
        subject=subject,
        linked_how=how.value,
        created_at=at,
        revoked_at=None,
    )
    session.add(link)
    session.flush()
    return link


def link_by_admin(
    session: Session, *, actor: Actor, at: datetime, person_id: int, issuer: str, subject: str
) -> IdentityLink:
    """Link an identity at a provider to a person (admins)."""
    require_admin(actor, "link identities")
    person = _person(session, person_id)
    issuer, subject = issuer.strip().rstrip("/"), subject.strip()
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(issuer) > 500:
        raise InvalidInput(f"{issuer!r} is not an issuer URL", field="issuer")
    if not subject or len(subject) > 255:
        raise InvalidInput("a subject must have 1 to 255 characters", field="subject")
    link = _link(session, person=person, issuer=issuer, subject=subject, how=LinkedHow.ADMIN, at=at)
    _log_link(session, link, actor_id=actor.person_id, at=at)
    return link


def revoke_link(session: Session, *, actor: Actor, at: datetime, link_id: int) -> IdentityLink:
    """Unlink an identity (admins); the sessions it opened end now."""
    require_admin(actor, "unlink identities")
    link = session.get(IdentityLink, link_id)
    if link is None:
        raise NotFound(f"there is no identity link {link_id}")
    if link.revoked_at is not None:
        raise Conflict("this identity link is already revoked")
    link.revoked_at = at
    ended = queries.end_sessions(session, at=at, identity_id=link.id)
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action="identity.revoked",
        subject_type="identity",
        subject_id=link.id,
        payload={"person_id": link.person_id, "sessions_ended": ended},
    )
    return link


def links_of(session: Session, *, actor: Actor, person_id: int) -> list[IdentityLink]:
    """A person's identity links, live and revoked (admins, and the person themself)."""
    if actor.person_id != person_id and not (actor.is_admin or actor.is_auditor):
        raise NotFound(f"there is no person {person_id}")
    _person(session, person_id)
    return queries.links_of(session, person_id)


def _by_email_domain(session: Session, identity: VerifiedIdentity) -> Person | None:
    if identity.email is None:
        return None
    domain = identity.email.rpartition("@")[2]
    claimed = [o for o in queries.organizations_with_domains(session) if domain in o.email_domains]
    if len(claimed) != 1:
        return None
    person = directory.person_by_email(session, identity.email)
    if person is None or person.organization_id != claimed[0].id:
        return None
    return person


def sign_in_identity(
    session: Session, *, identity: VerifiedIdentity, at: datetime, invitation: str | None = None
) -> SignedIn:
    """Open a session for the person ``identity`` is linked to, linking it first when an
    invitation or a claimed, verified e-mail domain allows; UnknownIdentity otherwise."""
    link = queries.live_link(session, issuer=identity.issuer, subject=identity.subject)
    if link is None:
        person: Person | None = None
        how = LinkedHow.EMAIL_DOMAIN
        if invitation:
            person = redeem_invitation(session, token=invitation, at=at)
            how = LinkedHow.INVITATION
        else:
            person = _by_email_domain(session, identity)
        if person is None:
            raise UnknownIdentity(
                "this sign-in is not linked to anyone here. Ask an admin to invite you, "
                "or to link it to your account."
            )
        if not person.active:
            raise NotAuthenticated("your account is not active")
        link = _link(
            session,
            person=person,
            issuer=identity.issuer,
            subject=identity.subject,
            how=how,
            at=at,
        )
        _log_link(session, link, actor_id=person.id, at=at)
    person = _person(session, link.person_id)
    return web_sessions.open_session(
        session, person=person, at=at, method=SignInMethod.OIDC, identity_id=link.id
    )
