"""Ballot reminders: one nudge per voter per ballot, shortly before it closes.

``tick`` looks for open ballots whose deadline falls within the reminder window
(``GOVERNANCE_REMINDER_WINDOW`` hours, 24 by default) and reminds every member of the
electorate who has not voted: a ``ballot.reminder`` notification on their dashboard, a
``Reminder`` row, and an outbox event for webhooks. The ``Reminder`` row is unique per
(ballot, person), so nobody is reminded twice; each ballot is handled in its own unit of
work with the ballot row locked, so two ticks at once remind each voter once.

Reminders change no governance record, so they are not in the decision log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Final

from sqlalchemy.orm import Session

from governance_engine.clock import Clock
from governance_engine.errors import ConcurrentUpdate, TryAgain
from governance_engine.log import normalize
from governance_engine.persistence import log_writer, outbox
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Body, Notification, Proposal, Reminder
from governance_engine.persistence.repositories import ballots as ballot_queries
from governance_engine.persistence.repositories import notifications as queries

REMINDER: Final = "ballot.reminder"
DEFAULT_WINDOW: Final = timedelta(hours=24)


@dataclass
class ReminderReport:
    sent: int = 0
    ballots: list[int] = field(default_factory=list)
    """Ballots whose voters were reminded in this run."""


def send_reminders(
    database: Database, *, clock: Clock, window: timedelta = DEFAULT_WINDOW
) -> ReminderReport:
    """Remind the voters who owe a vote on each ballot closing within ``window``."""
    report = ReminderReport()
    now = clock.now()
    with database.reader() as session:
        candidates = queries.ballots_closing_between(session, start=now, end=now + window)
    for ballot_id in candidates:
        try:
            sent = database.run(partial(_remind, ballot_id=ballot_id, clock=clock, window=window))
        except ConcurrentUpdate:
            # Another tick reminded the same voters first (the unique (ballot, person) held;
            # under SERIALIZABLE isolation the ballot lock alone does not show its rows).
            continue
        except TryAgain:
            # Lost to concurrent writers on every attempt: nothing was sent; a later tick does.
            continue
        if sent:
            report.sent += sent
            report.ballots.append(ballot_id)
    return report


def _remind(session: Session, *, ballot_id: int, clock: Clock, window: timedelta) -> int:
    at = clock.now()
    ballot = ballot_queries.get(session, ballot_id, for_update=True)
    if ballot is None or ballot.state != "open" or not at < ballot.deadline <= at + window:
        return 0
    people = queries.voters_to_remind(session, ballot.id)
    if not people:
        return 0
    proposal = session.get(Proposal, ballot.proposal_id)
    body = session.get(Body, ballot.body_id)
    assert proposal is not None  # foreign keys guarantee both
    assert body is not None
    # Events leave in log order: take the chain head's lock as every log writer does
    # (after the ballot row, the same order as everyone else).
    head = log_writer.lock_head(session)
    details = _details(ballot.id, ballot.stage, ballot.deadline, proposal, body)
    for person_id in people:
        notification = Notification(
            person_id=person_id, kind=REMINDER, payload=details, created_at=at
        )
        session.add(notification)
        session.flush()
        session.add(
            Reminder(
                ballot_id=ballot.id,
                person_id=person_id,
                notification_id=notification.id,
                sent_at=at,
            )
        )
        outbox.enqueue(
            session,
            event_type=REMINDER,
            payload={**details, "person_id": person_id, "notification_id": notification.id},
            at=at,
            subscriptions_tag=head.subscriptions_tag,
        )
    session.flush()
    return len(people)


def _details(
    ballot_id: int, stage: str, deadline: datetime, proposal: Proposal, body: Body
) -> dict[str, Any]:
    return normalize(
        {
            "ballot_id": ballot_id,
            "proposal_id": proposal.id,
            "proposal_title": proposal.title,
            "body": body.slug,
            "stage": stage,
            "deadline": deadline,
            "message": f"{body.name} ballot {ballot_id} on proposal {proposal.id} "
            f"({proposal.title}) closes at {deadline:%Y-%m-%d %H:%M} UTC and you have not voted.",
        }
    )
