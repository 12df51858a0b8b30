"""``/api/v1/proposals/{id}/comments``: the conversation on a proposal's revisions.

Who may comment, edit and retract is decided in ``governance_engine.services.comments``;
anyone signed in may read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.deps import CatalogDep, ClockDep, CurrentActor, DatabaseDep, IfMatch, etag
from api.idempotency import RunOnce
from api.pagination import Page, PageDep, int_after, page_of
from api.problems import responses
from api.retry import RetryingRoute
from api.schemas.review import (
    CommentCreate,
    CommentEdit,
    CommentRead,
    CommentRetract,
)
from governance_engine.services import comments

router = APIRouter(prefix="/api/v1/proposals", tags=["review"], route_class=RetryingRoute)

_COMMENT = "/{proposal_id}/comments/{comment_id}"


@router.post(
    "/{proposal_id}/comments",
    status_code=201,
    operation_id="add_comment",
    response_model=CommentRead,
    responses=responses(401, 403, 404, 409, 422),
)
def add_comment(
    proposal_id: int,
    body: CommentCreate,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
    once: RunOnce,
) -> JSONResponse:
    """Comment on a revision (or lines of it), or reply to a top-level comment.

    Open to everyone seated on the sponsoring working group (observers included), on the TOC
    or on the Board, and to the proposal's authors.
    """

    def work(session: Session) -> tuple[int, dict[str, Any], dict[str, str]]:
        comment = comments.add_comment(
            session,
            actor=actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            body=body.body,
            revision=body.revision,
            line_start=body.line_start,
            line_end=body.line_end,
            parent_id=body.parent_id,
        )
        read = CommentRead.of(
            comments.get_comment(session, proposal_id=proposal_id, comment_id=comment.id)
        )
        headers = {"Location": read.self, "ETag": etag(read.version)}
        return 201, read.model_dump(mode="json"), headers

    return once.run(body, work)


@router.get(
    "/{proposal_id}/comments",
    operation_id="list_comments",
    response_model=Page[CommentRead],
    responses=responses(401, 404, 422),
)
def list_comments(
    proposal_id: int,
    database: DatabaseDep,
    actor: CurrentActor,
    page: PageDep,
    revision: Annotated[int | None, Query(ge=1, description="Only on this revision")] = None,
    parent_id: Annotated[int | None, Query(ge=1, description="Only replies to it")] = None,
) -> Page[CommentRead]:
    """The proposal's comments in the order they were made (retracted ones marked)."""
    with database.reader() as session:
        found = comments.list_comments(
            session,
            proposal_id=proposal_id,
            after=int_after(page),
            limit=page.limit + 1,
            revision=revision,
            parent_id=parent_id,
        )
        items = [CommentRead.of(view) for view in found[: page.limit]]
    return page_of(items, fetched=len(found), request=page, key=lambda item: item.id)


@router.get(
    _COMMENT,
    operation_id="get_comment",
    response_model=CommentRead,
    responses=responses(401, 404),
)
def get_comment(
    proposal_id: int,
    comment_id: int,
    response: Response,
    database: DatabaseDep,
    actor: CurrentActor,
) -> CommentRead:
    with database.reader() as session:
        read = CommentRead.of(
            comments.get_comment(session, proposal_id=proposal_id, comment_id=comment_id)
        )
    response.headers["ETag"] = etag(read.version)
    return read


@router.patch(
    _COMMENT,
    operation_id="edit_comment",
    response_model=CommentRead,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def edit_comment(
    proposal_id: int,
    comment_id: int,
    body: CommentEdit,
    response: Response,
    database: DatabaseDep,
    catalog: CatalogDep,
    clock: ClockDep,
    actor: CurrentActor,
    expected: IfMatch,
) -> CommentRead:
    """Change a comment's text: its author, while its revision is the current one.

    The edit is logged with the text it replaces. Send `If-Match` with the ETag you read.
    """
    with database.transaction() as session:
        comments.edit_comment(
            session,
            actor=actor,
            at=clock.now(),
            catalog=catalog,
            proposal_id=proposal_id,
            comment_id=comment_id,
            body=body.body,
            expected_version=expected,
        )
        read = CommentRead.of(
            comments.get_comment(session, proposal_id=proposal_id, comment_id=comment_id)
        )
    response.headers["ETag"] = etag(read.version)
    return read


@router.post(
    f"{_COMMENT}/retract",
    operation_id="retract_comment",
    response_model=CommentRead,
    responses=responses(401, 403, 404, 409, 412, 422),
)
def retract_comment(
    proposal_id: int,
    comment_id: int,
    response: Response,
    database: DatabaseDep,
    clock: ClockDep,
    actor: CurrentActor,
    expected: IfMatch,
    body: CommentRetract | None = None,
) -> CommentRead:
    """Retract a comment (its author): marked retracted, never deleted.

    Its text leaves the conversation and search but stays in the decision log.
    """
    with database.transaction() as session:
        comments.retract_comment(
            session,
            actor=actor,
            at=clock.now(),
            proposal_id=proposal_id,
            comment_id=comment_id,
            reason=body.reason if body else "",
            expected_version=expected,
        )
        read = CommentRead.of(
            comments.get_comment(session, proposal_id=proposal_id, comment_id=comment_id)
        )
    response.headers["ETag"] = etag(read.version)
    return read
