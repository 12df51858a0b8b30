"""Which proposals the public register shows (approved and after), and comment search."""

from __future__ import annotations

import pytest
from testkit.drive import act, file
from testkit.world import World

from governance_engine.services import comments, public_register, search
from governance_engine.services.workflows import WorkflowCatalog

PUBLIC = {
    "standard": {"published", "superseded"},
    "guideline": {"published", "retired"},
    # adopted, then every level it can reach, and the reviews between them
    "project": {
        "incubating",
        "graduation_review",
        "graduated",
        "archival_review",
        "graduated_archival_review",
        "archived",
    },
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_states_are_the_approved_ones_and_all_after(name: str) -> None:
    versions = [
        (version, states)
        for found, version, states in public_register.public_states(WorkflowCatalog.bundled())
        if found == name
    ]
    assert versions
    for _version, states in versions:
        assert states == PUBLIC[name]


def test_no_bundled_workflow_is_private() -> None:
    assert list(public_register.private_workflows(WorkflowCatalog.bundled())) == []


def test_comment_search_finds_words_and_never_retracted_comments(world: World) -> None:
    proposal_id = file(world, text="# Cards\n")

    def comment(body: str) -> int:
        return act(
            world,
            lambda s: comments.add_comment(
                s,
                actor=world.actor("will"),
                at=world.clock.now(),
                catalog=world.catalog,
                proposal_id=proposal_id,
                body=body,
            ),
        ).id

    kept = comment("The zeppelin clause is unclear.")
    gone = comment("Another zeppelin worry.")
    comment("Unrelated.")
    act(
        world,
        lambda s: comments.retract_comment(
            s, actor=world.actor("will"), at=world.clock.now(), proposal_id=proposal_id,
            comment_id=gone,
        ),
    )  # fmt: skip
    with world.database.reader() as session:
        found = search.search_comments(session, text="zeppelin", after=0, limit=10)
        assert [hit.comment.id for hit in found] == [kept]
        assert found[0].proposal.id == proposal_id
        assert found[0].revision == 1
        assert search.search_comments(session, text="  ", after=0, limit=10) == []
        assert search.search_comments(session, text="airship", after=0, limit=10) == []
