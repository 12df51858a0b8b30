"""Full-text search over proposal titles, summaries and comments, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from testkit.drive import act, file
from testkit.world import World

from governance_engine.services import comments, reads


def search(world: World, text: str, **filters: str) -> list[int]:
    with world.database.reader() as session:
        found = reads.list_proposals(session, after=0, limit=50, text=text, **filters)
    return [summary.proposal.id for summary in found]


def say(world: World, proposal_id: int, body: str, by: str = "will") -> int:
    made = act(
        world,
        lambda s: comments.add_comment(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            body=body,
        ),
    )
    return made.id


@pytest.fixture
def proposals(world: World) -> tuple[int, int]:
    cards = file(
        world,
        title="Trusted model cards",
        summary="Every released model ships a signed card.",
        text="# Cards\n",
    )
    attestation = file(
        world,
        kind="project",
        title="Hardware attestation toolkit",
        summary="Remote attestation for accelerators.",
        text="# Toolkit\n",
    )
    return cards, attestation


def test_finds_proposals_by_title_and_summary_words(
    world: World, proposals: tuple[int, int]
) -> None:
    cards, attestation = proposals
    assert search(world, "attestation") == [attestation]
    assert search(world, "signed") == [cards]  # a summary word
    assert search(world, "Trusted cards") == [cards]  # every word, in any order
    assert search(world, "cards attestation") == []
    assert search(world, "model") == [cards]
    assert search(world, "released") == search(world, "release") == [cards]  # stemmed


def test_finds_proposals_by_a_word_in_one_of_their_comments(
    world: World, proposals: tuple[int, int]
) -> None:
    cards, attestation = proposals
    say(world, attestation, "The threat model ignores side channels on shared GPUs.")
    assert search(world, "channels") == [attestation]
    assert search(world, "side channel") == [attestation]
    assert search(world, "model") == [cards, attestation]
    assert search(world, "model", kind="project") == [attestation]
    # every word must occur in one document: the title and summary, or one comment
    assert search(world, "toolkit channels") == []


def test_edits_and_retractions_reach_the_index(world: World, proposals: tuple[int, int]) -> None:
    cards, _ = proposals
    comment_id = say(world, cards, "Typo: recieve")
    assert search(world, "recieve") == [cards]
    act(
        world,
        lambda s: comments.edit_comment(
            s,
            actor=world.actor("will"),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=cards,
            comment_id=comment_id,
            body="Typo: receive",
        ),
    )
    assert search(world, "recieve") == []
    assert search(world, "receive") == [cards]
    act(
        world,
        lambda s: comments.retract_comment(
            s,
            actor=world.actor("will"),
            at=world.clock.now(),
            proposal_id=cards,
            comment_id=comment_id,
        ),
    )
    assert search(world, "receive") == []


@pytest.mark.parametrize("text", ['"cards', "cards OR (", "-", "NEAR(cards", "a:b*", "!!!"])
def test_query_syntax_in_the_text_never_fails(
    world: World, proposals: tuple[int, int], text: str
) -> None:
    search(world, text)  # no error, whatever the backend makes of it


def test_blank_text_is_no_filter(world: World, proposals: tuple[int, int]) -> None:
    assert search(world, "  ") == list(proposals)
