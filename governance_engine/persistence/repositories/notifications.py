"""Queries over notifications, ballot reminders and who still owes a vote."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import (
    Ballot,
    BallotElector,
    Notification,
    Person,
    Reminder,
    Vote,
)


def ballots_closing_between(session: Session, *, start: datetime, end: datetime) -> list[int]:
    """Open ballots whose deadline is after ``start`` and no later than ``end``."""
    statement = (
        select(Ballot.id)
        .where(Ballot.state == "open", Ballot.deadline > start, Ballot.deadline <= end)
        .order_by(Ballot.deadline, Ballot.id)
    )
    return list(session.scalars(statement))


def voters_to_remind(session: Session, ballot_id: int) -> list[int]:
    """Active electors of the ballot with no position on it and no reminder about it yet."""
    voted = exists().where(Vote.ballot_id == ballot_id, Vote.voter_id == BallotElector.person_id)
    reminded = exists().where(
        Reminder.ballot_id == ballot_id, Reminder.person_id == BallotElector.person_id
    )
    statement = (
        select(BallotElector.person_id)
        .join(Person, Person.id == BallotElector.person_id)
        .where(
            BallotElector.ballot_id == ballot_id,
            BallotElector.removed_at.is_(None),
            Person.active.is_(True),
            ~voted,
            ~reminded,
        )
        .order_by(BallotElector.person_id)
    )
    return list(session.scalars(statement))


def notification(
    session: Session, notification_id: int, *, for_update: bool = False
) -> Notification | None:
    return session.get(
        Notification, notification_id, with_for_update=for_update, populate_existing=True
    )


def page(
    session: Session,
    *,
    person_id: int,
    before: int | None,
    limit: int,
    unread_only: bool = False,
) -> list[Notification]:
    """A person's notifications, newest first, older than the cursor."""
    statement = select(Notification).where(Notification.person_id == person_id)
    if before is not None:
        statement = statement.where(Notification.id < before)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return list(session.scalars(statement.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, *, person_id: int) -> int:
    statement = select(func.count()).where(
        Notification.person_id == person_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(statement) or 0)


def to_email(session: Session, *, since: datetime, limit: int) -> list[tuple[Notification, Person]]:
    """Notifications created after ``since`` not emailed yet, locked for the caller.

    PostgreSQL skips rows another sender holds (``SKIP LOCKED``); SQLite's writers run one at
    a time anyway.
    """
    statement = (
        select(Notification, Person)
        .join(Person, Person.id == Notification.person_id)
        .where(
            Notification.emailed_at.is_(None),
            Notification.created_at > since,
            Person.active.is_(True),
        )
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(of=Notification, skip_locked=True)
    )
    return [(row[0], row[1]) for row in session.execute(statement)]
