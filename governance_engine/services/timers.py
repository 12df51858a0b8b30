"""State timers: fire the action a state names once a proposal has stayed there long enough.

A workflow state may say ``timer: {after: "90 days", action: defer}``. ``tick`` finds the
proposals whose timer is due (``lifecycle.timers`` does the date arithmetic) and fires the
action as the system through ``proposals.take_action``, which locks the proposal, checks
the guards, logs the transition and bumps the version. The version read when the timer was
found due is passed as ``expected_version``: a proposal that moved meanwhile (another tick
fired it, a chair acted) is skipped, so every timer fires once however many ticks run.

A guard can refuse the action (a custom workflow may guard it). The refusal is logged once
per proposal version as ``proposal.timer_refused``, naming the failed guards; later ticks
check the guards read-only and fire as soon as they hold, without logging again. Anything
that changes the proposal bumps its version, and a refusal after that is logged anew.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from governance_engine.clock import Clock
from governance_engine.errors import GovernanceError, GuardFailed, NotFound, StaleVersion
from governance_engine.lifecycle import Timer, WorkflowMachine
from governance_engine.lifecycle.timers import due_at
from governance_engine.persistence import log_writer
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import LogEntry, Proposal
from governance_engine.persistence.repositories import timers as queries
from governance_engine.services import proposals
from governance_engine.services.identity import Actor
from governance_engine.services.workflows import WorkflowCatalog

logger = logging.getLogger("governance_engine.timers")

TIMER_REFUSED = queries.TIMER_REFUSED


@dataclass
class TimerReport:
    fired: list[int] = field(default_factory=list)
    """Proposals whose timer action fired."""
    refused: list[int] = field(default_factory=list)
    """Proposals whose timer action a guard refused, logged this time."""
    waiting: int = 0
    """Due timers still refused by a guard, logged before: checked, not logged again."""
    moved: int = 0
    """Due timers whose proposal changed meanwhile (another process got there first)."""
    errors: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _DueTimer:
    proposal_id: int
    version: int
    state: str
    timer: Timer
    due: datetime


def fire_due_timers(database: Database, *, clock: Clock, catalog: WorkflowCatalog) -> TimerReport:
    """Fire every due timer, each in its own unit of work so one failure stops no other."""
    report = TimerReport()
    with database.reader() as session:
        due = _due_timers(session, catalog=catalog, now=clock.now(), report=report)
    for timer in due:
        try:
            outcome = database.run(partial(_fire, clock=clock, catalog=catalog, due=timer))
        except GovernanceError:
            logger.exception("the timer of proposal %s could not fire", timer.proposal_id)
            report.errors.append(timer.proposal_id)
            continue
        if outcome == "fired":
            report.fired.append(timer.proposal_id)
        elif outcome == "refused":
            report.refused.append(timer.proposal_id)
        elif outcome == "waiting":
            report.waiting += 1
        else:
            report.moved += 1
    return report


def _due_timers(
    session: Session, *, catalog: WorkflowCatalog, now: datetime, report: TimerReport
) -> list[_DueTimer]:
    found: list[tuple[_DueTimer, Proposal, WorkflowMachine]] = []
    for group in queries.occupied_states(session):
        try:
            machine = catalog.machine(session, group.workflow_name, group.workflow_version)
        except NotFound:
            logger.error("workflow %s v%s is unknown", group.workflow_name, group.workflow_version)
            continue
        state = machine.definition.states.get(group.state)
        if state is None or state.timer is None:
            continue
        timer = state.timer
        # N business days are never shorter than N calendar days: a safe first cut in SQL.
        cutoff = now - timedelta(days=timer.days)
        for proposal in queries.entered_before(session, group, cutoff):
            when = due_at(proposal.state_entered_at, timer)
            if when <= now:
                item = _DueTimer(proposal.id, proposal.version, group.state, timer, when)
                found.append((item, proposal, machine))
    refusals = queries.last_refusals(session, [item.proposal_id for item, _, _ in found])
    due = []
    for item, proposal, machine in found:
        refusal = refusals.get(item.proposal_id)
        if refusal is not None and _same_version(refusal, item.version):
            facts = proposals.proposal_facts(session, proposal)
            if machine.failed_guards(item.state, item.timer.action, facts):
                report.waiting += 1
                continue
        due.append(item)
    return due


def _fire(session: Session, *, clock: Clock, catalog: WorkflowCatalog, due: _DueTimer) -> str:
    at = clock.now()
    try:
        proposals.take_action(
            session,
            actor=Actor.system(),
            at=at,
            catalog=catalog,
            proposal_id=due.proposal_id,
            action=due.timer.action,
            expected_version=due.version,
            reason=f"timer: {due.timer.after} in {due.state}",
        )
    except StaleVersion:
        return "moved"
    except GuardFailed as refusal:
        # take_action holds the proposal's lock: no other tick can log this refusal now.
        last = queries.last_refusals(session, [due.proposal_id]).get(due.proposal_id)
        if last is not None and _same_version(last, due.version):
            return "waiting"
        proposal = proposals.get_proposal(session, due.proposal_id)
        log_writer.append(
            session,
            at=at,
            actor_id=None,
            action=TIMER_REFUSED,
            subject_type="proposal",
            subject_id=proposal.id,
            proposal_id=proposal.id,
            body_id=proposal.sponsor_body_id,
            payload={
                "action": due.timer.action,
                "state": due.state,
                "after": due.timer.after,
                "due_at": due.due,
                "version": due.version,
                "guards": list(refusal.details.get("guards", [])),
                "reason": str(refusal),
            },
        )
        return "refused"
    return "fired"


def _same_version(refusal: LogEntry, version: int) -> bool:
    return bool(refusal.payload.get("version") == version)
