"""Comments on a proposal: anchored to a revision, threaded one level deep, never deleted.

Who may comment: everyone seated on the sponsoring working group, observers included (they do
not vote, but they are part of the conversation); everyone seated on the TOC or the Board;
and the proposal's authors. Auditors read and never write. Anyone signed in may read comments.

A comment's author may edit it while its revision is the current one (each edit is logged
with the text it replaced) and may retract it at any time: the row stays, marked retracted,
its text hidden from the conversation and from search but kept in the decision log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from governance_engine.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from governance_engine.lifecycle import WorkflowDefinition
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Body, BodyKind, Comment, Proposal, Revision
from governance_engine.persistence.repositories import directory
from governance_engine.persistence.repositories import proposals as proposal_queries
from governance_engine.persistence.repositories import review as queries
from governance_engine.services import body_refs
from governance_engine.services.body_refs import BodyRefs
from governance_engine.services.identity import Actor
from governance_engine.services.permissions import require_writer
from governance_engine.services.review import (
    machine_of,
    optional_text,
    proposal_of,
    require_not_final,
    required_text,
)
from governance_engine.services.workflows import WorkflowCatalog


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    revision: int  # the number of the revision it is anchored to
    body: str | None  # None once retracted: the text is then only in the decision log

    @property
    def retracted(self) -> bool:
        return self.comment.retracted_at is not None


def is_participant(
    session: Session,
    person_id: int,
    proposal: Proposal,
    at: datetime,
    workflow: WorkflowDefinition | None = None,
) -> bool:
    """Whether the person takes part in the proposal's conversation: its authors, and people
    seated (observers included) on the sponsoring body, on a body the proposal's ``workflow``
    names (its ballots and roles), or on the TOC or the Board."""
    if person_id in proposal_queries.author_ids(session, proposal.id):
        return True
    seats = directory.active_seats_with_bodies(session, person_id=person_id, at=at)
    if not seats:
        return False
    named: set[int] = set()
    if workflow is not None:
        refs = BodyRefs.load(session, proposal)
        for ref, _where in body_refs.references(workflow):
            body = refs.resolve(ref)
            if body is not None:
                named.add(body.id)
    return any(
        body.id == proposal.sponsor_body_id
        or body.id in named
        or body.kind in (BodyKind.TOC, BodyKind.BOARD)
        for _seat, body in seats
    )


def _require_participant(
    session: Session, actor: Actor, proposal: Proposal, at: datetime, workflow: WorkflowDefinition
) -> int:
    """The commenter's person id, if they take part in the proposal's conversation."""
    require_writer(actor)
    if actor.person_id is None:
        raise PermissionDenied("comments are made by people")
    if is_participant(session, actor.person_id, proposal, at, workflow):
        return actor.person_id
    sponsor = session.get(Body, proposal.sponsor_body_id)
    slug = sponsor.slug if sponsor else "the sponsoring working group"
    raise PermissionDenied(
        f"only people seated on {slug} (observers included), on a body its workflow names, on "
        f"the TOC or on the Board, and the authors may comment on proposal {proposal.id}"
    )


def _anchor(session: Session, proposal: Proposal, revision: int | None) -> Revision:
    if revision is None:
        current = proposal_queries.current_revision(session, proposal.id)
        if current is None:
            raise Conflict(f"proposal {proposal.id} has no revision to comment on yet")
        return current
    found = queries.revision_by_number(session, proposal.id, revision)
    if found is None:
        raise NotFound(f"proposal {proposal.id} has no revision {revision}", field="revision")
    return found


def _line_range(
    session: Session, revision: Revision, start: int | None, end: int | None
) -> tuple[int | None, int | None]:
    """Validate a range of the revision's lines (1-based, inclusive); one line if no end."""
    if start is None:
        if end is not None:
            raise InvalidInput("give line_start with line_end", field="line_start")
        return None, None
    end = start if end is None else end
    if start < 1 or end < start:
        raise InvalidInput(
            f"lines {start}-{end} are not a range: 1 <= line_start <= line_end", field="line_end"
        )
    count = queries.line_count(session, revision.id)
    if end > count:
        raise InvalidInput(
            f"revision {revision.number} has {count} line{'' if count == 1 else 's'}: "
            f"lines {start}-{end} are not all in it",
            field="line_end",
        )
    return start, end


def _parent(session: Session, proposal: Proposal, parent_id: int) -> Comment:
    """Replies are one level deep: a parent is a top-level comment on the same proposal."""
    parent = queries.comment(session, parent_id)
    if parent is None or parent.proposal_id != proposal.id:
        raise InvalidInput(
            f"comment {parent_id} is not a comment on proposal {proposal.id}", field="parent_id"
        )
    if parent.parent_id is not None:
        raise InvalidInput(
            f"comment {parent_id} is itself a reply, and replies are one level deep: reply to "
            f"comment {parent.parent_id} instead",
            field="parent_id",
        )
    if parent.retracted_at is not None:
        raise Conflict(f"comment {parent_id} was retracted: it takes no more replies")
    return parent


def add_comment(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    proposal_id: int,
    body: str,
    revision: int | None = None,
    line_start: int | None = None,
    line_end: int | None = None,
    parent_id: int | None = None,
) -> Comment:
    """Comment on a revision (the current one unless given), or on lines of it, or reply.

    A reply answers a top-level comment: it takes that comment's revision and has no lines.
    """
    proposal = proposal_of(session, proposal_id)
    machine = machine_of(session, catalog, proposal)
    author_id = _require_participant(session, actor, proposal, at, machine.definition)
    require_not_final(machine, proposal, "comments")
    text = required_text(body, "body", what="a comment")
    if parent_id is not None:
        parent = _parent(session, proposal, parent_id)
        if line_start is not None or line_end is not None:
            raise InvalidInput(
                f"a reply has no line range of its own: it answers comment {parent.id}",
                field="line_start",
            )
        if revision is not None and _anchor(session, proposal, revision).id != parent.revision_id:
            raise InvalidInput(
                f"a reply is on the revision of the comment it answers (comment {parent.id})",
                field="revision",
            )
        anchor_id = parent.revision_id
        lines: tuple[int | None, int | None] = (None, None)
    else:
        anchor = _anchor(session, proposal, revision)
        anchor_id = anchor.id
        lines = _line_range(session, anchor, line_start, line_end)
    comment = Comment(
        proposal_id=proposal.id,
        revision_id=anchor_id,
        parent_id=parent_id,
        author_id=author_id,
        body=text,
        line_start=lines[0],
        line_end=lines[1],
        created_at=at,
        version=1,
    )
    session.add(comment)
    session.flush()
    _log(
        session,
        comment,
        proposal,
        actor=actor,
        at=at,
        action="comment.added",
        payload={
            "revision": queries.revision_numbers(session, [anchor_id])[anchor_id],
            "parent_id": parent_id,
            "line_start": comment.line_start,
            "line_end": comment.line_end,
            "body": text,
        },
    )
    return comment


def _own_comment(
    session: Session,
    actor: Actor,
    proposal_id: int,
    comment_id: int,
    expected_version: int | None,
    doing: str,
) -> Comment:
    require_writer(actor)
    comment = queries.comment(session, comment_id, for_update=True)
    if comment is None or comment.proposal_id != proposal_id:
        raise NotFound(f"proposal {proposal_id} has no comment {comment_id}")
    if actor.person_id is None or comment.author_id != actor.person_id:
        raise PermissionDenied(f"only the author of comment {comment.id} may {doing} it")
    if comment.retracted_at is not None:
        raise Conflict(f"comment {comment.id} is retracted")
    if expected_version is not None and comment.version != expected_version:
        raise StaleVersion(
            f"comment {comment.id} is at version {comment.version}, not {expected_version}: "
            "reload it and try again",
            current_version=comment.version,
        )
    return comment


def edit_comment(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    catalog: WorkflowCatalog,
    proposal_id: int,
    comment_id: int,
    body: str,
    expected_version: int | None = None,
) -> Comment:
    """Change a comment's text: its author only, while no newer revision exists.

    The proposal row is locked first, so an edit and a new revision cannot cross.
    """
    proposal = proposal_of(session, proposal_id, for_update=True)
    comment = _own_comment(session, actor, proposal_id, comment_id, expected_version, "edit")
    require_not_final(machine_of(session, catalog, proposal), proposal, "edits")
    current = proposal_queries.current_revision(session, proposal.id)
    if current is None or current.id != comment.revision_id:
        number = queries.revision_numbers(session, [comment.revision_id])[comment.revision_id]
        newer = current.number if current is not None else number
        raise Conflict(
            f"comment {comment.id} is on revision {number}, and revision {newer} now replaces "
            "it: the comment can no longer be edited (comment on the new revision instead)"
        )
    text = required_text(body, "body", what="a comment")
    if text == comment.body:
        raise InvalidInput(f"the text is the same as comment {comment.id}'s", field="body")
    previous = comment.body
    comment.body = text
    comment.edited_at = at
    comment.version += 1
    session.flush()
    _log(
        session,
        comment,
        proposal,
        actor=actor,
        at=at,
        action="comment.edited",
        payload={"body": text, "previous": previous, "version": comment.version},
    )
    return comment


def retract_comment(
    session: Session,
    *,
    actor: Actor,
    at: datetime,
    proposal_id: int,
    comment_id: int,
    reason: str = "",
    expected_version: int | None = None,
) -> Comment:
    """Withdraw a comment (its author only, at any time): marked retracted, never deleted."""
    proposal = proposal_of(session, proposal_id)
    comment = _own_comment(session, actor, proposal_id, comment_id, expected_version, "retract")
    reason = optional_text(reason, "reason", limit=2000)
    comment.retracted_at = at
    comment.version += 1
    session.flush()
    _log(
        session,
        comment,
        proposal,
        actor=actor,
        at=at,
        action="comment.retracted",
        payload={
            "body": comment.body,  # the text stays in the record
            "reason": reason,
            "version": comment.version,
        },
    )
    return comment


def _log(
    session: Session,
    comment: Comment,
    proposal: Proposal,
    *,
    actor: Actor,
    at: datetime,
    action: str,
    payload: dict[str, object],
) -> None:
    log_writer.append(
        session,
        at=at,
        actor_id=actor.person_id,
        action=action,
        subject_type="comment",
        subject_id=comment.id,
        proposal_id=proposal.id,
        body_id=proposal.sponsor_body_id,
        payload=payload,
    )


def _views(session: Session, rows: list[Comment]) -> list[CommentView]:
    numbers = queries.revision_numbers(session, [comment.revision_id for comment in rows])
    return [
        CommentView(
            comment=comment,
            revision=numbers[comment.revision_id],
            body=comment.body if comment.retracted_at is None else None,
        )
        for comment in rows
    ]


def list_comments(
    session: Session,
    *,
    proposal_id: int,
    after: int,
    limit: int,
    revision: int | None = None,
    parent_id: int | None = None,
) -> list[CommentView]:
    """A proposal's comments in the order they were made; a reply follows its parent's id."""
    proposal = proposal_of(session, proposal_id)
    revision_id = None
    if revision is not None:
        revision_id = _anchor(session, proposal, revision).id
    rows = queries.comments_page(
        session,
        proposal_id=proposal.id,
        after=after,
        limit=limit,
        revision_id=revision_id,
        parent_id=parent_id,
    )
    return _views(session, rows)


def get_comment(session: Session, *, proposal_id: int, comment_id: int) -> CommentView:
    proposal_of(session, proposal_id)
    comment = queries.comment(session, comment_id)
    if comment is None or comment.proposal_id != proposal_id:
        raise NotFound(f"proposal {proposal_id} has no comment {comment_id}")
    return _views(session, [comment])[0]
