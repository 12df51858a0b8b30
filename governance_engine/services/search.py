"""Finding comments across proposals, with the same full-text search as the proposals list.

Anyone signed in may read a proposal's comments (``comments.list_comments``), so anyone signed
in may search them; retracted comments are never found.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from governance_engine.persistence.models import Comment, Proposal
from governance_engine.persistence.repositories import review as queries
from governance_engine.persistence.repositories import web


@dataclass(frozen=True)
class CommentHit:
    comment: Comment
    revision: int  # the number of the revision it is anchored to
    proposal: Proposal


def search_comments(
    session: Session, *, text: str, after: int, limit: int, newest_first: bool = True
) -> list[CommentHit]:
    """Unretracted comments matching ``text`` (every word; PostgreSQL: web-search syntax)."""
    if not text.strip():
        return []
    rows = queries.search_comments(
        session, text, after=after, limit=limit, newest_first=newest_first
    )
    numbers = queries.revision_numbers(session, [row.revision_id for row in rows])
    proposals = web.proposals_by_id(session, {row.proposal_id for row in rows})
    return [CommentHit(row, numbers[row.revision_id], proposals[row.proposal_id]) for row in rows]
