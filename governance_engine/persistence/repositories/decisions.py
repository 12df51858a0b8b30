"""Queries over the decision register."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from governance_engine.persistence.models import Decision, Proposal
from governance_engine.persistence.repositories import review


def last_serial(session: Session, *, body_id: int, year: int) -> int:
    statement = select(func.max(Decision.serial)).where(
        Decision.body_id == body_id, Decision.year == year
    )
    return int(session.scalar(statement) or 0)


def by_number(session: Session, number: str) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.number == number)).one_or_none()


def page(
    session: Session,
    *,
    after: int,
    limit: int,
    body_id: int | None = None,
    proposal_id: int | None = None,
    kind: str | None = None,
    outcome: str | None = None,
    newest_first: bool = False,
    text: str | None = None,
) -> list[Decision]:
    """Decisions in the order they were recorded (id) after a cursor, with optional filters.

    ``newest_first``: the latest first, and ``after`` (when not 0) is the last id already seen.
    ``text``: decisions numbered so, or on proposals the proposals' search finds (titles,
    summaries and comments: ``review.search_condition``).
    """
    statement = select(Decision)
    if newest_first:
        statement = statement.where(Decision.id < after) if after else statement
    else:
        statement = statement.where(Decision.id > after)
    if body_id is not None:
        statement = statement.where(Decision.body_id == body_id)
    if proposal_id is not None:
        statement = statement.where(Decision.proposal_id == proposal_id)
    if kind is not None:
        statement = statement.where(Decision.kind == kind)
    if outcome is not None:
        statement = statement.where(Decision.outcome == outcome)
    if text is not None:
        matching = select(Proposal.id).where(review.search_condition(session, text))
        statement = statement.where(
            or_(
                func.upper(Decision.number) == text.strip().upper(),
                Decision.proposal_id.in_(matching),
            )
        )
    order = Decision.id.desc() if newest_first else Decision.id
    return list(session.scalars(statement.order_by(order).limit(limit)))
