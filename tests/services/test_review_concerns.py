"""Concerns: who raises them, how they block, and that only their raiser lifts them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from testkit.drive import TOC, WG, act, file, open_ballot, pass_ballot, state_of, take
from testkit.world import World

from governance_engine.errors import Conflict, GuardFailed, PermissionDenied
from governance_engine.persistence.models import Concern, LogEntry
from governance_engine.services import ballot_views, concerns, proposals

TEXT = "# Model cards\n\nEvery model ships a signed card.\n"
THREAT = "guard no_open_concerns failed: concern 1 'Threat model missing' raised by Will"


def raise_(world: World, proposal_id: int, by: str, title: str = "Threat model missing") -> Concern:
    return act(
        world,
        lambda s: concerns.raise_concern(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            title=title,
            text="Section 3 assumes the publisher is honest.",
        ),
    )


def address(world: World, proposal_id: int, concern_id: int, by: str, reason: str) -> Concern:
    return act(
        world,
        lambda s: concerns.address_concern(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            proposal_id=proposal_id,
            concern_id=concern_id,
            reason=reason,
        ),
    )


def resolve(world: World, proposal_id: int, concern_id: int, by: str) -> Concern:
    return act(
        world,
        lambda s: concerns.resolve_concern(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            proposal_id=proposal_id,
            concern_id=concern_id,
            note="the threat model is in section 4 now",
        ),
    )


def in_last_call(world: World) -> int:
    """A standard whose WG review passed: it is in WG Last Call."""
    proposal_id = file(world, text=TEXT)
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    assert state_of(world, proposal_id) == "wg_last_call"
    return proposal_id


def actions_log(world: World, proposal_id: int) -> list[str]:
    with world.database.reader() as session:
        statement = (
            select(LogEntry.action)
            .where(LogEntry.proposal_id == proposal_id)
            .order_by(LogEntry.seq)
        )
        return list(session.scalars(statement))


def test_a_voting_member_of_the_reviewing_body_raises_concerns(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    # in a state without a ballot, the sponsoring working group reviews
    raised = raise_(world, proposal_id, "will")
    assert (raised.state, raised.body_id) == ("open", world.bodies["wg-trust-validation"])
    for outsider in ("olive", "tara", "nobody", "auditor"):  # observer, other body, no seat
        with pytest.raises(PermissionDenied):
            raise_(world, proposal_id, outsider)
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    pass_ballot(world, proposal_id, "wendy", WG)  # last call: lazy consensus
    resolve(world, proposal_id, raised.id, "will")
    take(world, proposal_id, "end_last_call", "wendy")  # the lazy-consensus pass was held
    assert state_of(world, proposal_id) == "toc_review"
    # the TOC reviews now: its members raise concerns, the WG's no longer do
    toc_concern = raise_(world, proposal_id, "tom", "Overlaps with the provenance standard")
    assert toc_concern.body_id == world.bodies["toc"]
    with pytest.raises(PermissionDenied, match="only a voting member of toc"):
        raise_(world, proposal_id, "will")


def test_a_concern_blocks_the_guarded_action_naming_itself_and_its_raiser(world: World) -> None:
    proposal_id = in_last_call(world)
    concern = raise_(world, proposal_id, "will")
    # the last call passes, but the outcome's action is held by the concern
    pass_ballot(world, proposal_id, "wendy", WG)
    assert state_of(world, proposal_id) == "wg_last_call"
    assert "ballot.outcome_not_applied" in actions_log(world, proposal_id)
    with pytest.raises(GuardFailed) as refused:
        take(world, proposal_id, "end_last_call", "wendy")
    assert str(refused.value) == f"{THREAT} is open"
    # the chair's "addressed" asks the raiser, and is shown, but does not lift the block
    address(world, proposal_id, concern.id, "wendy", "Section 4 now covers it")
    with pytest.raises(GuardFailed) as still:
        take(world, proposal_id, "end_last_call", "wendy")
    assert str(still.value) == (
        f"{THREAT} was marked addressed by Wendy; Will has yet to resolve it"
    )
    with world.database.reader() as session:
        [action] = [
            a
            for a in proposals.available_actions(
                session,
                actor=world.actor("wendy"),
                at=world.clock.now(),
                catalog=world.catalog,
                proposal_id=proposal_id,
            )
            if a.name == "end_last_call"
        ]
    assert action.blocked_by == (str(still.value),)
    # only the raiser lifts it
    for other in ("wendy", "wes", "wren"):
        with pytest.raises(PermissionDenied, match="only Will, who raised concern 1"):
            resolve(world, proposal_id, concern.id, other)
    resolved = resolve(world, proposal_id, concern.id, "will")
    assert resolved.state == "resolved"
    take(world, proposal_id, "end_last_call", "wendy")
    assert state_of(world, proposal_id) == "toc_review"
    assert [a for a in actions_log(world, proposal_id) if a.startswith("concern.")] == [
        "concern.raised",
        "concern.addressed",
        "concern.resolved",
    ]


def test_every_standing_concern_is_named(world: World) -> None:
    proposal_id = in_last_call(world)
    raise_(world, proposal_id, "will")
    raise_(world, proposal_id, "wren", "No revocation story")
    with world.database.reader() as session:
        proposal = proposals.get_proposal(session, proposal_id)
        facts = proposals.proposal_facts(session, proposal)
    assert facts.open_concerns == 2
    assert facts.open_concern_labels == (
        "concern 1 'Threat model missing' raised by Will is open",
        "concern 2 'No revocation story' raised by Wren is open",
    )


def test_who_may_mark_a_concern_addressed(world: World) -> None:
    proposal_id = in_last_call(world)
    concern = raise_(world, proposal_id, "will")
    for other in ("wes", "will", "tara"):  # secretary, raiser, another body's chair
        with pytest.raises(PermissionDenied, match="chair or co-chair of wg-trust-validation"):
            address(world, proposal_id, concern.id, other, "done")
    addressed = address(world, proposal_id, concern.id, "wendy", "Section 4 now covers it")
    assert (addressed.state, addressed.addressed_reason) == ("addressed", "Section 4 now covers it")
    assert addressed.addressed_by_id == world.person_ids["wendy"]
    with pytest.raises(Conflict, match="already addressed"):
        address(world, proposal_id, concern.id, "wendy", "again")
    resolve(world, proposal_id, concern.id, "will")
    with pytest.raises(Conflict, match="already resolved"):
        resolve(world, proposal_id, concern.id, "will")
    with pytest.raises(Conflict, match="already resolved"):
        address(world, proposal_id, concern.id, "wendy", "late")


def test_a_concern_raised_during_a_ballot_leaves_the_ballot_alone(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    pass_ballot(world, proposal_id, "wendy", WG)
    ballot_id = open_ballot(world, proposal_id, "tara")
    with world.database.reader() as session:
        before = ballot_views.view_ballot(
            session, viewer=world.actor("tom"), ballot_id=ballot_id, at=world.clock.now()
        )
    assert before.standing_concerns == ()
    concern = raise_(world, proposal_id, "tom", "Overlaps with the provenance standard")
    with world.database.reader() as session:
        during = ballot_views.view_ballot(
            session, viewer=world.actor("tom"), ballot_id=ballot_id, at=world.clock.now()
        )
    assert during.ballot.version == before.ballot.version
    assert during.electorate == before.electorate
    assert [c.concern.id for c in during.standing_concerns] == [concern.id]
    assert during.standing_concerns[0].raised_by_name == "Tom"
    assert during.standing_concerns[0].blocking


def test_a_toc_concern_holds_the_sign_off_until_resolved_and_voted_again(world: World) -> None:
    proposal_id = file(world, text=TEXT, kind="project")
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    assert state_of(world, proposal_id) == "toc_review"
    concern = raise_(world, proposal_id, "theo", "No security audit")
    pass_ballot(world, proposal_id, "tara", TOC)
    assert state_of(world, proposal_id) == "toc_review"  # the ballot stands, the move is held
    resolve(world, proposal_id, concern.id, "theo")
    pass_ballot(world, proposal_id, "tara", TOC)
    assert state_of(world, proposal_id) == "board_ratification"
