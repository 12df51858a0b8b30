"""``tick``: act on time. Closes every open ballot whose rule lets it close now, fires the
state timers that are due, and reminds voters of ballots about to close.

An orchestrator, not a single use case: each ballot, timer and reminder round runs in its
own unit of work, so one failure does not hold up the rest. Idempotent and safe in several
processes at once: closing locks the proposal and ballot rows and re-checks that the ballot
is still open, so each ballot is closed exactly once whoever gets there first; a timer fires
only if its proposal is still at the version read when it was found due (``services.timers``);
reminders lock the ballot and are unique per voter and ballot (``services.reminders``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, TypeAlias

from sqlalchemy.orm import Session

from governance_engine.clock import Clock
from governance_engine.config import Settings
from governance_engine.errors import BallotNotOpen, Conflict, TryAgain
from governance_engine.persistence.database import Database
from governance_engine.persistence.repositories import ballots as ballot_queries
from governance_engine.services import ballots
from governance_engine.services.identity import Actor
from governance_engine.services.reminders import send_reminders
from governance_engine.services.timers import TimerReport, fire_due_timers
from governance_engine.services.workflows import WorkflowCatalog

logger = logging.getLogger("governance_engine.tick")

_Outcome: TypeAlias = Literal["closed", "still_open", "already_closed"]


@dataclass
class TickReport:
    closed: list[int] = field(default_factory=list)
    still_open: int = 0
    already_closed: int = 0
    deferred: int = 0
    """Due ballots left open for a later tick because their close kept losing to others."""
    timers: TimerReport = field(default_factory=TimerReport)
    reminders_sent: int = 0

    @property
    def acted(self) -> bool:
        """True when this tick changed anything."""
        timers = self.timers
        return bool(self.closed or timers.fired or timers.refused or self.reminders_sent)

    def describe(self) -> str:
        closed = ", ".join(str(ballot_id) for ballot_id in self.closed) or "none"
        fired = ", ".join(str(proposal_id) for proposal_id in self.timers.fired) or "none"
        text = (
            f"closed ballots: {closed}; still open: {self.still_open}; "
            f"timers fired on proposals: {fired}"
        )
        if self.deferred:
            text += f"; left for a later tick (contention): {self.deferred}"
        if self.timers.refused or self.timers.waiting:
            text += f"; timers refused by a guard: {len(self.timers.refused) + self.timers.waiting}"
        return text + f"; reminders sent: {self.reminders_sent}"


def tick(
    database: Database,
    *,
    clock: Clock,
    catalog: WorkflowCatalog,
    reminder_window: timedelta | None = None,
) -> TickReport:
    """Close due ballots, then fire due timers, then send reminders.

    ``reminder_window`` defaults to ``GOVERNANCE_REMINDER_WINDOW`` from the environment.
    """
    report = TickReport()
    with database.reader() as session:
        candidates = ballot_queries.open_ballot_ids(session)
    for ballot_id in candidates:
        if _close_if_due(
            database, clock=clock, catalog=catalog, ballot_id=ballot_id, report=report
        ):
            report.closed.append(ballot_id)
    report.timers = fire_due_timers(database, clock=clock, catalog=catalog)
    if reminder_window is None:
        reminder_window = timedelta(hours=Settings.from_env().reminder_window_hours)
    report.reminders_sent = send_reminders(database, clock=clock, window=reminder_window).sent
    return report


def _close_if_due(
    database: Database,
    *,
    clock: Clock,
    catalog: WorkflowCatalog,
    ballot_id: int,
    report: TickReport,
) -> bool:
    """Close one ballot if its rule lets it close now; count what happened once it committed.

    ``work`` may run several times (a unit of work that lost to a concurrent one is re-run),
    so it only says what it did; the report counts the outcome of the attempt that committed.
    """

    def work(session: Session) -> _Outcome:
        at = clock.now()
        ballot = ballots.get_ballot(session, ballot_id)
        if ballot.state != "open":
            return "already_closed"
        if not ballots.evaluate_ballot(session, ballot, at).may_close:
            return "still_open"
        try:
            ballots.close_ballot(
                session, actor=Actor.system(), at=at, catalog=catalog, ballot_id=ballot_id
            )
        except BallotNotOpen:  # another process closed it first
            return "already_closed"
        except Conflict:
            # A position changed between the check above and the lock in close_ballot, and
            # the rule no longer lets the ballot close: it stays open for a later tick.
            return "still_open"
        return "closed"

    try:
        outcome = database.run(work, what=f"closing ballot {ballot_id}")
    except TryAgain:
        # Lost to concurrent writers on every attempt: nothing changed, a later tick retries.
        logger.warning("ballot %s stays open until a later tick: too much contention", ballot_id)
        report.deferred += 1
        return False
    if outcome == "already_closed":
        report.already_closed += 1
    elif outcome == "still_open":
        report.still_open += 1
    return outcome == "closed"
