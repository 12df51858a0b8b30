"""Queries for state timers: where proposals stand, and timer refusals already logged."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import LogEntry, Proposal

TIMER_REFUSED = "proposal.timer_refused"


class StateGroup(NamedTuple):
    workflow_name: str
    workflow_version: int
    state: str


def occupied_states(session: Session) -> list[StateGroup]:
    """Every (workflow, version, state) at least one proposal is in now."""
    statement = (
        select(Proposal.workflow_name, Proposal.workflow_version, Proposal.state)
        .distinct()
        .order_by(Proposal.workflow_name, Proposal.workflow_version, Proposal.state)
    )
    return [StateGroup(*row) for row in session.execute(statement)]


def entered_before(session: Session, group: StateGroup, cutoff: datetime) -> list[Proposal]:
    """Proposals in the group's state that entered it no later than ``cutoff``."""
    statement = (
        select(Proposal)
        .where(
            Proposal.workflow_name == group.workflow_name,
            Proposal.workflow_version == group.workflow_version,
            Proposal.state == group.state,
            Proposal.state_entered_at <= cutoff,
        )
        .order_by(Proposal.state_entered_at, Proposal.id)
    )
    return list(session.scalars(statement))


def last_refusals(session: Session, proposal_ids: Collection[int]) -> dict[int, LogEntry]:
    """The latest ``proposal.timer_refused`` entry of each proposal that has one."""
    if not proposal_ids:
        return {}
    statement = (
        select(LogEntry)
        .where(LogEntry.action == TIMER_REFUSED, LogEntry.proposal_id.in_(proposal_ids))
        .order_by(LogEntry.seq)
    )
    return {entry.proposal_id: entry for entry in session.scalars(statement) if entry.proposal_id}
