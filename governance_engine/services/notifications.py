"""A person's notifications (ballot reminders and other notices): read, mark read, email.

Everyone sees only their own; someone else's notification is reported as not found, so ids
reveal nothing. Marking one read is not a governance change and is not logged.

Email is an optional second channel (``GOVERNANCE_SMTP_HOST``): :func:`email_notifications`
sends each new notification to its person once. A notification is claimed by setting
``emailed_at`` in a short transaction, the mail is sent outside it, and a failure clears the
claim so a later pass tries again, for as long as the notification is younger than
``max_age``. A sender that dies between claiming and sending loses that one email: at most
once, never twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from governance_engine.clock import Clock
from governance_engine.config import Settings
from governance_engine.errors import NotFound, PermissionDenied
from governance_engine.persistence.database import Database
from governance_engine.persistence.mail_sender import Mail, Mailer, SmtpMailer
from governance_engine.persistence.models import Notification
from governance_engine.persistence.repositories import notifications as queries
from governance_engine.services.identity import Actor

EMAIL_MAX_AGE = timedelta(days=2)


def _person(viewer: Actor) -> int:
    if viewer.person_id is None:
        raise PermissionDenied("notifications belong to people")
    return viewer.person_id


def list_notifications(
    session: Session, *, viewer: Actor, before: int | None, limit: int, unread_only: bool = False
) -> list[Notification]:
    """The viewer's notifications, newest first."""
    return queries.page(
        session, person_id=_person(viewer), before=before, limit=limit, unread_only=unread_only
    )


def unread_count(session: Session, *, viewer: Actor) -> int:
    """How many of the viewer's notifications are not marked read yet."""
    return queries.unread_count(session, person_id=_person(viewer))


def mark_read(
    session: Session, *, viewer: Actor, at: datetime, notification_id: int
) -> Notification:
    """Mark one of the viewer's notifications read; the first time it was read is kept."""
    person_id = _person(viewer)
    notification = queries.notification(session, notification_id, for_update=True)
    if notification is None or notification.person_id != person_id:
        raise NotFound(f"you have no notification {notification_id}")
    if notification.read_at is None:
        notification.read_at = at
        session.flush()
    return notification


def mailer_from(settings: Settings) -> SmtpMailer | None:
    """The configured SMTP mailer, or None when email is off (no ``GOVERNANCE_SMTP_HOST``)."""
    if not settings.smtp_host:
        return None
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        timeout=max(settings.webhook_timeout, 10.0),
    )


@dataclass
class EmailReport:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    """Notifications whose email the server refused this time; tried again later."""

    def describe(self) -> str:
        return f"notification emails: {len(self.sent)} sent, {len(self.failed)} to retry"


@dataclass(frozen=True)
class _Claimed:
    notification_id: int
    claimed_at: datetime
    mail: Mail


def email_notifications(
    database: Database,
    *,
    clock: Clock,
    mailer: Mailer,
    max_age: timedelta = EMAIL_MAX_AGE,
    limit: int = 200,
) -> EmailReport:
    """Email every notification not emailed yet (newer than ``max_age``) to its person."""
    report = EmailReport()
    claimed = database.run(partial(_claim_emails, clock=clock, max_age=max_age, limit=limit))
    for item in claimed:
        error = mailer.send(item.mail)
        if error is None:
            report.sent.append(item.notification_id)
        else:
            database.run(partial(_release, item=item))
            report.failed.append(item.notification_id)
    return report


def _claim_emails(
    session: Session, *, clock: Clock, max_age: timedelta, limit: int
) -> list[_Claimed]:
    now = clock.now()
    claimed = []
    for notification, person in queries.to_email(session, since=now - max_age, limit=limit):
        notification.emailed_at = now
        claimed.append(
            _Claimed(notification.id, now, _mail(notification, person.email, person.name))
        )
    session.flush()
    return claimed


def _release(session: Session, *, item: _Claimed) -> None:
    notification = queries.notification(session, item.notification_id, for_update=True)
    if notification is not None and notification.emailed_at == item.claimed_at:
        notification.emailed_at = None
        session.flush()


def _mail(notification: Notification, address: str, name: str) -> Mail:
    payload = notification.payload
    message = str(payload.get("message") or notification.kind)
    if notification.kind == "ballot.reminder":
        subject = f"Reminder: ballot {payload.get('ballot_id')} closes soon"
    else:
        subject = f"Governance notice: {notification.kind}"
    text = f"Hello {name},\n\n{message}\n\n-- governance-engine\n"
    return Mail(to_address=address, to_name=name, subject=subject, text=text)
