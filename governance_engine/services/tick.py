"""``tick``: act on time. Closes every open ballot whose rule lets it close now.

An orchestrator, not a single use case: each ballot is closed in its own unit of work, so
one failure does not hold up the rest. Idempotent and safe in several processes at once:
closing locks the proposal and ballot rows and re-checks that the ballot is still open,
so each ballot is closed exactly once whoever gets there first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from governance_engine.clock import Clock
from governance_engine.errors import BallotNotOpen
from governance_engine.persistence.database import Database
from governance_engine.persistence.repositories import ballots as ballot_queries
from governance_engine.services import ballots
from governance_engine.services.identity import Actor
from governance_engine.services.workflows import WorkflowCatalog


@dataclass
class TickReport:
    closed: list[int] = field(default_factory=list)
    still_open: int = 0
    already_closed: int = 0

    def describe(self) -> str:
        closed = ", ".join(str(ballot_id) for ballot_id in self.closed) or "none"
        return f"closed ballots: {closed}; still open: {self.still_open}"


def tick(database: Database, *, clock: Clock, catalog: WorkflowCatalog) -> TickReport:
    report = TickReport()
    with database.reader() as session:
        candidates = ballot_queries.open_ballot_ids(session)
    for ballot_id in candidates:
        if _close_if_due(
            database, clock=clock, catalog=catalog, ballot_id=ballot_id, report=report
        ):
            report.closed.append(ballot_id)
    return report


def _close_if_due(
    database: Database,
    *,
    clock: Clock,
    catalog: WorkflowCatalog,
    ballot_id: int,
    report: TickReport,
) -> bool:
    def work(session: Session) -> bool:
        at = clock.now()
        ballot = ballots.get_ballot(session, ballot_id)
        if ballot.state != "open":
            report.already_closed += 1
            return False
        if not ballots.evaluate_ballot(session, ballot, at).may_close:
            report.still_open += 1
            return False
        try:
            ballots.close_ballot(
                session, actor=Actor.system(), at=at, catalog=catalog, ballot_id=ballot_id
            )
        except BallotNotOpen:  # another process closed it first
            report.already_closed += 1
            return False
        return True

    return database.run(work)
