"""Browser sessions for the pages: sign in with an API token, resolve, sign out; throttling.

A person signs in by pasting one of their API tokens, or through an OpenID provider, an
e-mail link or an invitation (``services.access``), which all end in ``open_session``. The
browser then holds a random session id in a cookie; only its SHA-256 is stored
(``WebSession.session_hash``), so a copy of the database cannot be replayed as a cookie. A
session lasts at most ``SESSION_LIFETIME`` and never outlives what it was opened with: a
revoked or expired token, an unlinked identity, or a deactivated person, ends it at the
next request.

Each session has a ``csrf_secret``; the pages put ``csrf_token(secret)`` in every form and
compare it on every POST (the synchronizer-token pattern).

Guessing tokens is slowed down per source address: after ``MAX_FAILURES`` failed sign-ins
within ``FAILURE_WINDOW``, further attempts from that source are refused, without looking at
the token, until the oldest of those failures leaves the window.

Signing in and signing out are written to the decision log (``session.signed_in``,
``session.signed_out``) with the person's id and the sign-in method, nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from governance_engine.errors import GovernanceError, NotAuthenticated
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import (
    ApiToken,
    IdentityLink,
    Person,
    SignInFailure,
    SignInMethod,
    WebSession,
)
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import web as queries
from governance_engine.services import identity
from governance_engine.services.identity import Actor

SESSION_LIFETIME = timedelta(hours=12)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES = 5
MAX_SOURCE = 100  # the width of SignInFailure.source


class SignInFailed(NotAuthenticated):
    """The token was refused. The failure is already recorded in the caller's unit of work."""

    code = "sign-in-failed"


class SignInThrottled(GovernanceError):
    """Too many failed sign-ins from one source lately; ``retry_after`` says how long to wait."""

    code = "sign-in-throttled"

    def __init__(self, message: str, *, retry_after: timedelta) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignedIn:
    session_id: str  # goes into the cookie; never stored
    actor: Actor
    expires_at: datetime


@dataclass(frozen=True)
class WebIdentity:
    """Who a live session stands for, and the CSRF token its forms must carry."""

    actor: Actor
    csrf_token: str
    expires_at: datetime


def hash_session_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def csrf_token(csrf_secret: str) -> str:
    """The synchronizer token for a session's forms, derived from its secret."""
    return hmac.new(csrf_secret.encode("ascii"), b"governance-engine csrf", "sha256").hexdigest()


def csrf_matches(identity: WebIdentity, submitted: str | None) -> bool:
    """Whether a form's token is this session's, compared in constant time."""
    return bool(submitted) and hmac.compare_digest(
        identity.csrf_token.encode("ascii"), (submitted or "").encode("utf-8")
    )


def check_throttle(session: Session, *, source: str, at: datetime) -> None:
    """Refuse (SignInThrottled) while ``source`` has ``MAX_FAILURES`` failures in the window."""
    recent = queries.failure_times(session, source=source[:MAX_SOURCE], since=at - FAILURE_WINDOW)
    if len(recent) < MAX_FAILURES:
        return
    # The attempt is allowed again once enough failures have aged out of the window.
    unblocked_at = recent[len(recent) - MAX_FAILURES] + FAILURE_WINDOW
    wait = max(unblocked_at - at, timedelta(seconds=1))
    minutes = max(1, round(wait.total_seconds() / 60))
    raise SignInThrottled(
        f"too many failed sign-ins from your address: wait about {minutes} "
        f"minute{'' if minutes == 1 else 's'} and try again",
        retry_after=wait,
    )


def sign_in(session: Session, *, token: str, source: str, at: datetime) -> SignedIn:
    """Open a session for the person ``token`` belongs to.

    SignInThrottled when ``source`` has failed too often lately (nothing is recorded then).
    SignInFailed for an unknown, revoked or expired token; the failure has been added to the
    caller's unit of work, so the caller must catch it inside the transaction and commit.
    """
    source = source[:MAX_SOURCE]
    check_throttle(session, source=source, at=at)
    token = token.strip()
    try:
        identity.authenticate(session, token=token, at=at)
    except NotAuthenticated as refusal:
        queries.forget_failures(session, source=source, before=at - FAILURE_WINDOW)
        session.add(SignInFailure(source=source, at=at))
        session.flush()
        raise SignInFailed(f"sign-in refused: {refusal.message}") from None
    stored = directory.token_by_hash(session, identity.hash_token(token))
    assert stored is not None  # authenticate just found it
    person = session.get(Person, stored.person_id)
    assert person is not None
    return open_session(session, person=person, at=at, method=SignInMethod.TOKEN, token=stored)


def open_session(
    session: Session,
    *,
    person: Person,
    at: datetime,
    method: SignInMethod,
    token: ApiToken | None = None,
    identity_id: int | None = None,
) -> SignedIn:
    """A new session for ``person`` (whose sign-in the caller has checked), logged."""
    if not person.active:
        raise NotAuthenticated("your account is not active")
    session_id = secrets.token_urlsafe(32)
    row = WebSession(
        session_hash=hash_session_id(session_id),
        person_id=person.id,
        token_id=token.id if token is not None else None,
        identity_id=identity_id,
        method=method.value,
        csrf_secret=secrets.token_hex(32),
        created_at=at,
        expires_at=_expiry(token, at),
        ended_at=None,
    )
    session.add(row)
    session.flush()
    _log(session, "session.signed_in", person_id=person.id, method=method.value, at=at)
    return SignedIn(session_id, Actor.of(person), row.expires_at)


def _log(session: Session, action: str, *, person_id: int, method: str, at: datetime) -> None:
    log_writer.append(
        session,
        at=at,
        actor_id=person_id,
        action=action,
        subject_type="person",
        subject_id=person_id,
        payload={"method": method},
    )


def _expiry(token: ApiToken | None, at: datetime) -> datetime:
    expires = at + SESSION_LIFETIME
    if token is not None and token.expires_at is not None and token.expires_at < expires:
        return token.expires_at
    return expires


def resolve(session: Session, *, session_id: str, at: datetime) -> WebIdentity:
    """The person a session id stands for now; NotAuthenticated once it has ended.

    A session ends when signed out, when it expires, when its token is revoked or expires,
    or when its person is deactivated.
    """
    if not session_id or len(session_id) > 200:
        raise NotAuthenticated("you are not signed in")
    row = queries.session_by_hash(session, hash_session_id(session_id))
    if row is None or row.ended_at is not None:
        raise NotAuthenticated("you are not signed in")
    if row.expires_at <= at:
        raise NotAuthenticated("your session has expired: sign in again")
    if row.token_id is not None:
        token = session.get(ApiToken, row.token_id)
        if token is None or token.revoked_at is not None:
            raise NotAuthenticated("the token you signed in with has been revoked")
        if token.expires_at is not None and token.expires_at <= at:
            raise NotAuthenticated("the token you signed in with has expired")
    if row.identity_id is not None:
        link = session.get(IdentityLink, row.identity_id)
        if link is None or link.revoked_at is not None:
            raise NotAuthenticated("the identity you signed in with is no longer linked")
    person = session.get(Person, row.person_id)
    if person is None or not person.active:
        raise NotAuthenticated("your account is not active")
    return WebIdentity(Actor.of(person), csrf_token(row.csrf_secret), row.expires_at)


def sign_out(session: Session, *, session_id: str, at: datetime, logged: bool = True) -> None:
    """End the session (idempotent): its cookie stops working everywhere at once.

    ``logged``: a person signing out is logged; a session found already over is not.
    """
    if not session_id or len(session_id) > 200:
        return
    row = queries.session_by_hash(session, hash_session_id(session_id))
    if row is not None and row.ended_at is None:
        row.ended_at = at
        session.flush()
        if logged and row.expires_at > at:
            _log(session, "session.signed_out", person_id=row.person_id, method=row.method, at=at)
