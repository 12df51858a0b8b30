"""Queries over comments, concerns and formal objections, and full-text search over proposals.

Search is backend-specific (migration 0003 builds it; the models do not know it):
PostgreSQL matches ``to_tsvector('english', ...)`` against ``websearch_to_tsquery`` with the
exact expressions its GIN indexes are built on; SQLite matches the FTS5 table
``proposal_search`` that triggers keep in step with proposals and comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
    union,
)
from sqlalchemy.orm import Session

from governance_engine.persistence.models import (
    Body,
    Comment,
    Concern,
    Decision,
    Objection,
    Person,
    Proposal,
    Revision,
)

STANDING_CONCERN_STATES: Final = ("open", "addressed")
"""A concern stands, and blocks, until its raiser resolves it; a chair's "addressed" does not."""

_MAX_SEARCH_WORDS: Final = 32
_WORD: Final = re.compile(r"\w+")
_ENGLISH: Final = literal_column("'english'", String)
_SPACE: Final = literal_column("' '", String)
_FTS = table("proposal_search", column("proposal_id"))


def comment(session: Session, comment_id: int, *, for_update: bool = False) -> Comment | None:
    return session.get(Comment, comment_id, with_for_update=for_update, populate_existing=True)


def comments_page(
    session: Session,
    *,
    proposal_id: int,
    after: int,
    limit: int,
    revision_id: int | None = None,
    parent_id: int | None = None,
) -> list[Comment]:
    """A proposal's comments in the order they were made, optionally on one revision or thread."""
    statement = select(Comment).where(Comment.proposal_id == proposal_id, Comment.id > after)
    if revision_id is not None:
        statement = statement.where(Comment.revision_id == revision_id)
    if parent_id is not None:
        statement = statement.where(Comment.parent_id == parent_id)
    return list(session.scalars(statement.order_by(Comment.id).limit(limit)))


def concern(session: Session, concern_id: int, *, for_update: bool = False) -> Concern | None:
    return session.get(Concern, concern_id, with_for_update=for_update, populate_existing=True)


def concerns_page(
    session: Session, *, proposal_id: int, after: int, limit: int, state: str | None = None
) -> list[Concern]:
    statement = select(Concern).where(Concern.proposal_id == proposal_id, Concern.id > after)
    if state is not None:
        statement = statement.where(Concern.state == state)
    return list(session.scalars(statement.order_by(Concern.id).limit(limit)))


def standing_concerns(session: Session, proposal_id: int) -> list[Concern]:
    """Concerns not yet resolved by their raisers, oldest first."""
    statement = select(Concern).where(
        Concern.proposal_id == proposal_id, Concern.state.in_(STANDING_CONCERN_STATES)
    )
    return list(session.scalars(statement.order_by(Concern.id)))


def objection(session: Session, objection_id: int, *, for_update: bool = False) -> Objection | None:
    return session.get(Objection, objection_id, with_for_update=for_update, populate_existing=True)


def objections_page(
    session: Session, *, proposal_id: int, after: int, limit: int, state: str | None = None
) -> list[Objection]:
    statement = select(Objection).where(Objection.proposal_id == proposal_id, Objection.id > after)
    if state is not None:
        statement = statement.where(Objection.state == state)
    return list(session.scalars(statement.order_by(Objection.id).limit(limit)))


def holding_objections(
    session: Session, proposal_id: int, current_digest: str | None
) -> list[Objection]:
    """Objections that hold the proposal: open ones, and upheld ones on the current text.

    An upheld objection overturned a decision about one revision (its digest); it stops
    holding the proposal once a new revision replaces that text, which must then be voted on
    again anyway (``approval_requires``).
    """
    same_text = (
        Decision.digest.is_(None) if current_digest is None else Decision.digest == current_digest
    )
    upheld_here = and_(Objection.state == "upheld", same_text)
    statement = (
        select(Objection)
        .join(Decision, Decision.id == Objection.decision_id)
        .where(Objection.proposal_id == proposal_id, or_(Objection.state == "open", upheld_here))
        .order_by(Objection.id)
    )
    return list(session.scalars(statement))


def open_objection_of(session: Session, *, decision_id: int, person_id: int) -> Objection | None:
    statement = select(Objection).where(
        Objection.decision_id == decision_id,
        Objection.lodged_by_id == person_id,
        Objection.state == "open",
    )
    return session.scalars(statement).first()


def revision_by_number(session: Session, proposal_id: int, number: int) -> Revision | None:
    statement = select(Revision).where(
        Revision.proposal_id == proposal_id, Revision.number == number
    )
    return session.scalars(statement).one_or_none()


def revision_numbers(session: Session, revision_ids: Iterable[int]) -> dict[int, int]:
    ids = set(revision_ids)
    if not ids:
        return {}
    statement = select(Revision.id, Revision.number).where(Revision.id.in_(ids))
    return dict(session.execute(statement).all())


def line_count(session: Session, revision_id: int) -> int:
    text = session.scalar(select(Revision.text).where(Revision.id == revision_id)) or ""
    return len(text.splitlines())


def person_names(session: Session, person_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {person_id for person_id in person_ids if person_id is not None}
    if not ids:
        return {}
    statement = select(Person.id, Person.name).where(Person.id.in_(ids))
    return dict(session.execute(statement).all())


def body_slugs(session: Session, body_ids: Iterable[int]) -> dict[int, str]:
    ids = set(body_ids)
    if not ids:
        return {}
    statement = select(Body.id, Body.slug).where(Body.id.in_(ids))
    return dict(session.execute(statement).all())


def decision_numbers(session: Session, decision_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {decision_id for decision_id in decision_ids if decision_id is not None}
    if not ids:
        return {}
    statement = select(Decision.id, Decision.number).where(Decision.id.in_(ids))
    return dict(session.execute(statement).all())


def search_condition(session: Session, text: str) -> ColumnElement[bool]:
    """Proposals whose title and summary, or one of whose unretracted comments, match ``text``.

    Every word must occur in the same document (the title with the summary, or one comment).
    PostgreSQL reads ``text`` as web-search syntax (quotes, ``or``, ``-word``) and stems English;
    SQLite takes its words (Porter-stemmed) and needs all of them.
    """
    if session.get_bind().dialect.name == "postgresql":
        query = func.websearch_to_tsquery(_ENGLISH, text)
        # The same expressions as ix_proposals_search and ix_comments_search, or no index.
        document = func.to_tsvector(
            _ENGLISH, Proposal.title.concat(_SPACE).concat(Proposal.summary)
        )
        titled = select(Proposal.id).where(document.bool_op("@@")(query))
        commented = select(Comment.proposal_id).where(
            Comment.retracted_at.is_(None),
            func.to_tsvector(_ENGLISH, Comment.body).bool_op("@@")(query),
        )
        # A union, not an OR: each side can then use its own index.
        return Proposal.id.in_(union(titled, commented))
    match = _fts_match(text)
    if match is None:
        return false()
    found = select(_FTS.c.proposal_id).where(
        literal_column("proposal_search").bool_op("MATCH")(match)
    )
    return Proposal.id.in_(found)


def _fts_match(text: str) -> str | None:
    """An FTS5 query needing every word of ``text``, each quoted so none reads as syntax."""
    words = _WORD.findall(text)[:_MAX_SEARCH_WORDS]
    return " ".join(f'"{word}"' for word in words) if words else None


def comment_search_condition(session: Session, text: str) -> ColumnElement[bool]:
    """Unretracted comments that match ``text``: the comment half of ``search_condition``,
    on the same index (PostgreSQL: ix_comments_search; SQLite: the odd rowids of the FTS5
    table, ``2 * comment id + 1``)."""
    if session.get_bind().dialect.name == "postgresql":
        query = func.websearch_to_tsquery(_ENGLISH, text)
        return and_(
            Comment.retracted_at.is_(None),
            func.to_tsvector(_ENGLISH, Comment.body).bool_op("@@")(query),
        )
    match = _fts_match(text)
    if match is None:
        return false()
    rowid: ColumnElement[int] = literal_column("proposal_search.rowid", Integer)
    found = (
        select((rowid - 1) / 2)
        .select_from(_FTS)
        .where(literal_column("proposal_search").bool_op("MATCH")(match), rowid % 2 == 1)
    )
    return and_(Comment.retracted_at.is_(None), Comment.id.in_(found))


def search_comments(
    session: Session, text: str, *, after: int, limit: int, newest_first: bool
) -> list[Comment]:
    """Comments on any proposal that match ``text``; ``after`` as in the other pages."""
    statement = select(Comment).where(comment_search_condition(session, text))
    if newest_first:
        statement = statement.where(Comment.id < after) if after else statement
    else:
        statement = statement.where(Comment.id > after)
    order = Comment.id.desc() if newest_first else Comment.id
    return list(session.scalars(statement.order_by(order).limit(limit)))
