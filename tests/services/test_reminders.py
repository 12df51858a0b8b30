"""Ballot reminders from ``tick``: once per voter per ballot, only to those who owe a vote,
only within the window before the deadline; and emailed once, to a real SMTP server on
loopback (aiosmtpd)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from sqlalchemy import func, select
from testkit.cli import free_port
from testkit.drive import WG, file, open_ballot, subscribe, take, vote
from testkit.processes import run_in_processes
from testkit.workers import run_tick_report_at
from testkit.world import World

from governance_engine.persistence.mail_sender import SmtpMailer
from governance_engine.persistence.models import Notification, OutboxEvent, Reminder
from governance_engine.persistence.repositories import notifications as notification_queries
from governance_engine.services import ballots
from governance_engine.services.notifications import email_notifications
from governance_engine.services.reminders import send_reminders
from governance_engine.services.tick import tick

DAY = timedelta(days=1)


def open_wg_ballot(world: World) -> tuple[int, int]:
    """A WG review ballot (simple majority, 7 days) on a fresh proposal: (ballot, proposal)."""
    proposal_id = file(world, text="# Spec\n")
    take(world, proposal_id, "submit", "wendy")
    return open_ballot(world, proposal_id, "wendy"), proposal_id


def deadline_of(world: World, ballot_id: int) -> timedelta:
    with world.database.reader() as session:
        return ballots.get_ballot(session, ballot_id).deadline - world.clock.now()


def reminded(world: World, ballot_id: int | None = None) -> list[int]:
    with world.database.reader() as session:
        statement = select(Reminder.person_id).order_by(Reminder.person_id)
        if ballot_id is not None:
            statement = statement.where(Reminder.ballot_id == ballot_id)
        return list(session.scalars(statement))


def ids(world: World, *names: str) -> list[int]:
    return sorted(world.person_ids[name] for name in names)


def test_voters_who_owe_a_vote_get_one_reminder_within_the_window(world: World) -> None:
    subscribe(world, "ballot.reminder")
    ballot_id, proposal_id = open_wg_ballot(world)
    vote(world, ballot_id, "wendy", "yes")
    world.clock.advance(deadline_of(world, ballot_id) - DAY - timedelta(minutes=1))
    assert tick(world.database, clock=world.clock, catalog=world.catalog).reminders_sent == 0

    world.clock.advance(timedelta(minutes=2))  # 23h59 before the deadline
    report = send_reminders(world.database, clock=world.clock, window=DAY)
    owing = ids(world, "wes", "will", "wren", "wade")
    assert (report.sent, report.ballots) == (4, [ballot_id])
    assert reminded(world, ballot_id) == owing

    with world.database.reader() as session:
        notes = list(session.scalars(select(Notification).order_by(Notification.person_id)))
        events = list(
            session.scalars(select(OutboxEvent).where(OutboxEvent.event_type == "ballot.reminder"))
        )
    assert [note.person_id for note in notes] == owing
    note = notes[0]
    assert note.kind == "ballot.reminder"
    assert note.read_at is None
    assert note.payload["ballot_id"] == ballot_id
    assert note.payload["proposal_id"] == proposal_id
    assert note.payload["body"] == "wg-trust-validation"
    assert "you have not voted" in note.payload["message"]
    assert sorted(event.payload["person_id"] for event in events) == owing
    assert all(event.log_seq is None for event in events)

    # Later ticks, a late vote, a changed vote: nobody is reminded twice.
    vote(world, ballot_id, "wes", "no")
    vote(world, ballot_id, "wendy", "no")
    for _ in range(3):
        world.clock.advance(timedelta(hours=2))
        assert send_reminders(world.database, clock=world.clock, window=DAY).sent == 0
    assert reminded(world, ballot_id) == owing


def test_no_reminder_outside_the_window_or_after_the_deadline(world: World) -> None:
    ballot_id, _ = open_wg_ballot(world)
    world.clock.advance(deadline_of(world, ballot_id) - timedelta(hours=3))
    assert send_reminders(world.database, clock=world.clock, window=timedelta(hours=2)).sent == 0
    world.clock.advance(timedelta(hours=3))  # at the deadline: too late to vote
    assert send_reminders(world.database, clock=world.clock, window=DAY).sent == 0
    assert reminded(world) == []


def test_a_smaller_window_from_the_environment(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVERNANCE_REMINDER_WINDOW", "2")
    ballot_id, _ = open_wg_ballot(world)
    world.clock.advance(deadline_of(world, ballot_id) - timedelta(hours=3))
    assert tick(world.database, clock=world.clock, catalog=world.catalog).reminders_sent == 0
    world.clock.advance(timedelta(hours=1, minutes=1))
    report = tick(world.database, clock=world.clock, catalog=world.catalog)
    assert report.reminders_sent == len(WG)
    assert "reminders sent: 5" in report.describe()


def test_people_removed_from_the_electorate_are_not_reminded(world: World) -> None:
    ballot_id, _ = open_wg_ballot(world)
    with world.database.transaction() as session:
        ballots.amend_electorate(
            session,
            actor=world.actor("wendy"),
            at=world.clock.now(),
            ballot_id=ballot_id,
            reason="seat ended",
            remove=[world.person_ids["wade"]],
        )
    world.clock.advance(deadline_of(world, ballot_id) - timedelta(hours=1))
    send_reminders(world.database, clock=world.clock, window=DAY)
    assert reminded(world, ballot_id) == ids(world, "wendy", "wes", "will", "wren")


def test_each_ballot_is_reminded_on_its_own(world: World) -> None:
    first, _ = open_wg_ballot(world)
    world.clock.advance(timedelta(days=3))
    second, _ = open_wg_ballot(world)
    world.clock.advance(deadline_of(world, first) - timedelta(hours=1))
    assert send_reminders(world.database, clock=world.clock, window=DAY).ballots == [first]
    world.clock.advance(timedelta(days=3))
    assert send_reminders(world.database, clock=world.clock, window=DAY).ballots == [second]
    assert len(reminded(world)) == 2 * len(WG)


def test_a_tick_that_missed_another_ticks_reminders_skips_the_ballot(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under SERIALIZABLE isolation a second tick may not see the first one's reminders; the
    unique (ballot, person) refuses the repeat and the tick carries on without it."""
    ballot_id, _ = open_wg_ballot(world)
    world.clock.advance(deadline_of(world, ballot_id) - timedelta(hours=1))
    assert send_reminders(world.database, clock=world.clock, window=DAY).sent == len(WG)
    everyone = ids(world, *WG)
    monkeypatch.setattr(notification_queries, "voters_to_remind", lambda *_: everyone)
    report = send_reminders(world.database, clock=world.clock, window=DAY)
    assert (report.sent, report.ballots) == (0, [])
    assert reminded(world, ballot_id) == everyone


def test_two_ticks_on_threads_remind_each_voter_once(world: World) -> None:
    for _ in range(3):
        open_wg_ballot(world)
    world.clock.advance(timedelta(days=6, hours=12))
    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = list(
            pool.map(
                lambda _: send_reminders(world.database, clock=world.clock, window=DAY).sent,
                range(2),
            )
        )
    assert sum(sent) == 3 * len(WG)
    assert len(reminded(world)) == 3 * len(WG)


@pytest.mark.slow
def test_two_tick_processes_remind_each_voter_once(world: World, database_url: str) -> None:
    subscribe(world, "ballot.*")
    for _ in range(4):
        open_wg_ballot(world)
    at = (world.clock.now() + timedelta(days=6, hours=12)).isoformat()
    start_at = time.time() + 2
    first, second = run_in_processes(
        run_tick_report_at, [(database_url, at, start_at), (database_url, at, start_at)]
    )
    assert first["reminders"] + second["reminders"] == 4 * len(WG)
    with world.database.reader() as session:
        reminders = session.scalar(select(func.count()).select_from(Reminder))
        notes = session.scalar(select(func.count()).select_from(Notification))
        events = session.scalar(
            select(func.count()).where(OutboxEvent.event_type == "ballot.reminder")
        )
    assert (reminders, notes, events) == (4 * len(WG),) * 3


class Inbox:
    """An aiosmtpd handler that keeps what it accepts, or refuses the first ``refuse`` mails."""

    def __init__(self, refuse: int = 0) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = refuse

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 try again later"
        content = envelope.content
        assert isinstance(content, bytes)
        message = BytesParser(policy=default).parsebytes(content)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, SmtpMailer]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, SmtpMailer(host="127.0.0.1", port=port, sender="gov@example.org", timeout=5)
    finally:
        controller.stop()


def test_reminders_are_emailed_once(world: World, smtp: tuple[Inbox, SmtpMailer]) -> None:
    inbox, mailer = smtp
    ballot_id, _ = open_wg_ballot(world)
    vote(world, ballot_id, "wendy", "yes")
    world.clock.advance(deadline_of(world, ballot_id) - timedelta(hours=1))
    send_reminders(world.database, clock=world.clock, window=DAY)
    inbox.refuse = 1  # the server turns the first one away: it is tried again next pass
    first = email_notifications(world.database, clock=world.clock, mailer=mailer)
    assert (len(first.sent), len(first.failed)) == (3, 1)
    second = email_notifications(world.database, clock=world.clock, mailer=mailer)
    assert (len(second.sent), len(second.failed)) == (1, 0)
    assert email_notifications(world.database, clock=world.clock, mailer=mailer).sent == []
    recipients = sorted(str(message["To"]) for message in inbox.messages)
    assert recipients == [
        f"{n.title()} <{n}@example.org>" for n in sorted(["wes", "will", "wren", "wade"])
    ]
    message = inbox.messages[0]
    assert message["From"] == "gov@example.org"
    assert message["Subject"] == f"Reminder: ballot {ballot_id} closes soon"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "you have not voted" in body.get_content()
    with world.database.reader() as session:
        emailed = session.scalars(select(Notification.emailed_at)).all()
    assert all(at == world.clock.now() for at in emailed)


def test_old_notifications_and_a_dead_server_send_nothing(world: World) -> None:
    ballot_id, _ = open_wg_ballot(world)
    world.clock.advance(deadline_of(world, ballot_id) - timedelta(hours=1))
    send_reminders(world.database, clock=world.clock, window=DAY)
    dead = SmtpMailer(host="127.0.0.1", port=free_port(), timeout=2)
    report = email_notifications(world.database, clock=world.clock, mailer=dead)
    assert (report.sent, len(report.failed)) == ([], len(WG))
    assert report.describe() == "notification emails: 0 sent, 5 to retry"
    world.clock.advance(timedelta(days=3))  # too old to email now
    assert email_notifications(world.database, clock=world.clock, mailer=dead).failed == []
