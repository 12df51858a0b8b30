"""Comments: who may comment, anchors and line ranges, one-level threads, edits, retraction."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from testkit.drive import act, file, revise, take
from testkit.world import World

from governance_engine.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from governance_engine.persistence.models import Comment, LogEntry
from governance_engine.services import comments

TEXT = "# Model cards\n\nEvery model ships a signed card.\nCards list the training data.\n"


def comment(
    world: World, proposal_id: int, by: str, body: str = "Looks good", **extra: Any
) -> Comment:
    return act(
        world,
        lambda s: comments.add_comment(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            body=body,
            **extra,
        ),
    )


def edit(
    world: World, proposal_id: int, comment_id: int, by: str, body: str, **extra: Any
) -> Comment:
    return act(
        world,
        lambda s: comments.edit_comment(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            comment_id=comment_id,
            body=body,
            **extra,
        ),
    )


def retract(world: World, proposal_id: int, comment_id: int, by: str, **extra: Any) -> Comment:
    return act(
        world,
        lambda s: comments.retract_comment(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            proposal_id=proposal_id,
            comment_id=comment_id,
            **extra,
        ),
    )


def view(world: World, proposal_id: int, comment_id: int) -> comments.CommentView:
    with world.database.reader() as session:
        return comments.get_comment(session, proposal_id=proposal_id, comment_id=comment_id)


def log_of(world: World, action: str) -> list[LogEntry]:
    with world.database.reader() as session:
        statement = select(LogEntry).where(LogEntry.action == action).order_by(LogEntry.seq)
        return list(session.scalars(statement))


@pytest.mark.parametrize(
    "who",
    [
        "wendy",  # chair of the sponsoring WG
        "will",  # voting member of it
        "olive",  # observer of it: part of the conversation, though not of the vote
        "tara",  # TOC chair
        "tina",  # TOC secretary
        "bill",  # Board member
    ],
)
def test_the_conversation_is_open_to_the_sponsor_the_toc_and_the_board(
    world: World, who: str
) -> None:
    proposal_id = file(world, text=TEXT)
    made = comment(world, proposal_id, who)
    assert made.author_id == world.person_ids[who]


@pytest.mark.parametrize("who", ["hana", "nobody", "auditor"])
def test_others_may_not_comment(world: World, who: str) -> None:
    proposal_id = file(world, text=TEXT)
    with pytest.raises(PermissionDenied, match=r"may comment on proposal|auditor"):
        comment(world, proposal_id, who)


def test_an_author_without_a_seat_may_comment(world: World) -> None:
    authors = [world.person_ids["wendy"], world.person_ids["nobody"]]
    proposal_id = file(world, text=TEXT, author_ids=authors)
    assert comment(world, proposal_id, "nobody").author_id == world.person_ids["nobody"]


def test_a_comment_is_anchored_to_the_current_revision_unless_told(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    revise(world, proposal_id, "wendy", text=TEXT + "Cards are signed by the publisher.\n")
    current = comment(world, proposal_id, "will")
    older = comment(world, proposal_id, "will", revision=1)
    assert view(world, proposal_id, current.id).revision == 2
    assert view(world, proposal_id, older.id).revision == 1
    with pytest.raises(NotFound, match="no revision 3"):
        comment(world, proposal_id, "will", revision=3)
    draft = file(world)
    with pytest.raises(Conflict, match="no revision to comment on"):
        comment(world, draft, "will")


def test_line_ranges_are_validated_against_the_revision(world: World) -> None:
    proposal_id = file(world, text=TEXT)  # 4 lines
    ranged = comment(world, proposal_id, "will", line_start=3, line_end=4)
    assert (ranged.line_start, ranged.line_end) == (3, 4)
    single = comment(world, proposal_id, "will", line_start=2)
    assert (single.line_start, single.line_end) == (2, 2)
    with pytest.raises(InvalidInput, match="revision 1 has 4 lines: lines 3-5 are not all in it"):
        comment(world, proposal_id, "will", line_start=3, line_end=5)
    with pytest.raises(InvalidInput, match="not a range"):
        comment(world, proposal_id, "will", line_start=3, line_end=2)
    with pytest.raises(InvalidInput, match="not a range"):
        comment(world, proposal_id, "will", line_start=0, line_end=1)
    with pytest.raises(InvalidInput, match="give line_start with line_end"):
        comment(world, proposal_id, "will", line_end=2)
    # a later, longer revision does not make an old revision's lines valid
    revise(world, proposal_id, "wendy", text=TEXT + "five\nsix\n")
    assert comment(world, proposal_id, "will", line_start=6).line_end == 6
    with pytest.raises(InvalidInput, match="revision 1 has 4 lines"):
        comment(world, proposal_id, "will", revision=1, line_start=6)


def test_replies_are_one_level_deep(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    top = comment(world, proposal_id, "will", "Who signs the card?", line_start=3)
    reply = comment(world, proposal_id, "wendy", "The publisher.", parent_id=top.id)
    assert (reply.parent_id, reply.revision_id) == (top.id, top.revision_id)
    assert (reply.line_start, reply.line_end) == (None, None)
    with pytest.raises(InvalidInput, match=r"itself a reply.*reply to comment"):
        comment(world, proposal_id, "will", "And who checks?", parent_id=reply.id)
    with pytest.raises(InvalidInput, match="no line range of its own"):
        comment(world, proposal_id, "will", "Here", parent_id=top.id, line_start=1)
    other = file(world, text=TEXT)
    with pytest.raises(InvalidInput, match=f"not a comment on proposal {other}"):
        comment(world, other, "will", "Cross-talk", parent_id=top.id)
    # a reply is on its parent's revision, even once a newer one exists
    revise(world, proposal_id, "wendy", text=TEXT + "more\n")
    late = comment(world, proposal_id, "wren", "Agreed.", parent_id=top.id)
    assert view(world, proposal_id, late.id).revision == 1
    with pytest.raises(InvalidInput, match="revision of the comment it answers"):
        comment(world, proposal_id, "wren", "Agreed.", parent_id=top.id, revision=2)
    threads = act(
        world,
        lambda s: comments.list_comments(
            s, proposal_id=proposal_id, after=0, limit=10, parent_id=top.id
        ),
    )
    assert [item.comment.id for item in threads] == [reply.id, late.id]


def test_only_the_author_edits_and_each_edit_keeps_the_old_text_in_the_log(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    made = comment(world, proposal_id, "will", "Lookss good")
    with pytest.raises(PermissionDenied, match=f"only the author of comment {made.id}"):
        edit(world, proposal_id, made.id, "wendy", "Looks bad")
    edited = edit(world, proposal_id, made.id, "will", "Looks good", expected_version=1)
    assert (edited.body, edited.version) == ("Looks good", 2)
    assert edited.edited_at is not None
    with pytest.raises(StaleVersion, match="version 2, not 1"):
        edit(world, proposal_id, made.id, "will", "Looks great", expected_version=1)
    with pytest.raises(InvalidInput, match="the same"):
        edit(world, proposal_id, made.id, "will", "Looks good")
    [entry] = log_of(world, "comment.edited")
    assert entry.payload["previous"] == "Lookss good"
    assert entry.payload["body"] == "Looks good"
    assert entry.actor_id == world.person_ids["will"]


def test_no_edits_once_a_newer_revision_exists(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    made = comment(world, proposal_id, "will", "Line 3 is unclear", line_start=3)
    reply = comment(world, proposal_id, "wendy", "Fixed in the next revision", parent_id=made.id)
    revise(world, proposal_id, "wendy", text=TEXT + "Clarified.\n")
    for comment_id, author in ((made.id, "will"), (reply.id, "wendy")):
        with pytest.raises(Conflict, match="revision 2 now replaces it"):
            edit(world, proposal_id, comment_id, author, "changed my mind")


def test_retraction_marks_the_comment_and_keeps_its_text_in_the_log(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    made = comment(world, proposal_id, "will", "This is wrong")
    with pytest.raises(PermissionDenied, match="only the author"):
        retract(world, proposal_id, made.id, "wendy")
    revise(world, proposal_id, "wendy", text=TEXT + "x\n")  # retraction has no time limit
    retracted = retract(world, proposal_id, made.id, "will", reason="I misread it")
    assert retracted.retracted_at is not None
    seen = view(world, proposal_id, made.id)
    assert (seen.retracted, seen.body) == (True, None)
    with world.database.reader() as session:
        kept = session.get(Comment, made.id)
        assert kept is not None
        assert kept.body == "This is wrong"  # never deleted
    [entry] = log_of(world, "comment.retracted")
    assert (entry.payload["body"], entry.payload["reason"]) == ("This is wrong", "I misread it")
    with pytest.raises(Conflict, match="retracted"):
        retract(world, proposal_id, made.id, "will")
    with pytest.raises(Conflict, match="retracted"):
        comment(world, proposal_id, "wendy", "Noted", parent_id=made.id)
    [added] = log_of(world, "comment.added")
    assert added.payload["body"] == "This is wrong"
    assert (added.subject_type, added.subject_id) == ("comment", str(made.id))


def test_a_closed_proposal_takes_no_more_comments(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    made = comment(world, proposal_id, "will")
    take(world, proposal_id, "withdraw", "wendy", reason="superseded by another proposal")
    with pytest.raises(Conflict, match="withdrawn: it is closed to comments"):
        comment(world, proposal_id, "will")
    with pytest.raises(Conflict, match="closed to edits"):
        edit(world, proposal_id, made.id, "will", "changed")
    retract(world, proposal_id, made.id, "will")  # taking a word back is always allowed
