"""Open bodies: a workflow names any body by slug; missing bodies are refused when needed."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from testkit.drive import WG, act, file, open_ballot, pass_ballot, state_of, take
from testkit.world import World

from governance_engine.errors import BodyMissing, Conflict
from governance_engine.lifecycle import load_bundled, parse_workflow
from governance_engine.persistence.models import Body, Person
from governance_engine.services import comments, directory, objections
from governance_engine.services.workflows import WorkflowCatalog

ETHICS = ["tara", "tom", "tess"]


def ethics_guideline(body: str = "ethics") -> WorkflowCatalog:
    """The guideline workflow with its TOC stage given to another body, named ``body``."""
    [guideline] = [d for d in load_bundled() if d.name == "guideline"]
    text = json.dumps(guideline.to_dict())
    text = text.replace('"toc"', f'"{body}"').replace('"toc.chair"', f'"{body}.chair"')
    data = json.loads(text)
    data["version"] = guideline.version + 1
    edited = parse_workflow(copy.deepcopy(data), "guideline.yaml")
    return WorkflowCatalog([*(d for d in load_bundled() if d.name != "guideline"), edited])


def add_body(world: World, slug: str, kind: str, parent: str | None = None) -> Body:
    return act(
        world,
        lambda s: directory.create_body(
            s,
            actor=world.admin,
            at=world.clock.now(),
            slug=slug,
            name=slug.title(),
            kind=kind,
            parent=parent,
        ),
    )


def seat(world: World, slug: str, who: str, role: str) -> None:
    def work(session: Session) -> None:
        body = session.scalars(select(Body).where(Body.slug == slug)).one()
        person = session.get(Person, world.person_ids[who])
        assert person is not None
        directory.grant_seat(
            session, actor=world.admin, at=world.clock.now(), body=body, person=person, role=role
        )

    act(world, work)


def an_ethics_council(world: World) -> None:
    add_body(world, "ethics", "council", parent="board")
    seat(world, "ethics", "tara", "chair")
    seat(world, "ethics", "tom", "member")
    seat(world, "ethics", "tess", "member")


def test_a_council_by_slug_votes_and_its_chair_acts(world: World) -> None:
    an_ethics_council(world)
    world.catalog = ethics_guideline()
    proposal_id = file(world, kind="guideline", text="# Guideline\n")
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    assert state_of(world, proposal_id) == "toc_review"
    pass_ballot(world, proposal_id, "tara", ETHICS)  # the ethics chair opens, the council votes
    assert state_of(world, proposal_id) == "published"


def test_a_council_the_workflow_names_takes_part_in_the_conversation(world: World) -> None:
    add_body(world, "ethics", "council")
    seat(world, "ethics", "hana", "member")  # chairs another WG: seated nowhere else here
    world.catalog = ethics_guideline()
    proposal_id = file(world, kind="guideline", text="# Guideline\n")
    comment = act(
        world,
        lambda s: comments.add_comment(
            s,
            actor=world.actor("hana"),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            body="Consider the ethics review.",
        ),
    )
    assert comment.author_id == world.person_ids["hana"]


def test_filing_under_a_workflow_naming_a_missing_body_is_refused(world: World) -> None:
    world.catalog = ethics_guideline()
    with pytest.raises(BodyMissing, match="names body 'ethics'") as refused:
        file(world, kind="guideline", text="# Guideline\n")
    assert refused.value.details == {"body": "ethics"}


def test_a_reference_that_stops_resolving_is_refused_when_the_ballot_opens(world: World) -> None:
    """``council`` names the only body of that kind; a second council makes it ambiguous."""
    an_ethics_council(world)
    world.catalog = ethics_guideline("council")
    proposal_id = file(world, kind="guideline", text="# Guideline\n")
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    add_body(world, "ethics-two", "council")
    with pytest.raises(BodyMissing, match=r"states\.toc_review\.ballot\.body"):
        open_ballot(world, proposal_id, "tara")
    # an action only that body's chair may take says which body is missing
    with pytest.raises(BodyMissing, match=r"actions\.toc_return\.roles: council\.chair"):
        take(world, proposal_id, "toc_return", "tom", reason="not ready")


def test_objections_go_to_the_parent_body_when_there_is_one(world: World) -> None:
    an_ethics_council(world)
    orphan = add_body(world, "ombuds", "council")
    with world.database.reader() as session:
        ethics = session.scalars(select(Body).where(Body.slug == "ethics")).one()
        toc = session.scalars(select(Body).where(Body.slug == "toc")).one()
        assert objections.deciding_body(session, ethics).slug == "board"  # its parent
        assert objections.deciding_body(session, toc).slug == "board"  # as before parents
        with pytest.raises(Conflict, match="ombuds has no parent body"):
            objections.deciding_body(session, orphan)


def test_several_bodies_of_a_kind(world: World) -> None:
    second = add_body(world, "toc-two", "toc")
    assert second.kind == "toc"
    with pytest.raises(Conflict, match="already exists"):
        add_body(world, "toc-two", "committee")
