"""Formal objections: within the window, decided by the body above, holding ratification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from testkit.drive import BOARD, TOC, WG, act, file, pass_ballot, revise, state_of, take
from testkit.world import World, build_world

from governance_engine.errors import (
    Conflict,
    GuardFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from governance_engine.lifecycle import WorkflowDefinition, load_bundled
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Decision, LogEntry, Objection
from governance_engine.services import objections, proposals
from governance_engine.services.workflows import WorkflowCatalog

TEXT = "# Model cards\n\nEvery model ships a signed card.\n"


def lodge(world: World, proposal_id: int, by: str, decision: str) -> Objection:
    return act(
        world,
        lambda s: objections.lodge_objection(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            decision=decision,
            grounds="The TOC did not consider the provenance standard.",
        ),
    )


def decide(world: World, proposal_id: int, objection_id: int, by: str, outcome: str) -> Objection:
    return act(
        world,
        lambda s: objections.resolve_objection(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            proposal_id=proposal_id,
            objection_id=objection_id,
            outcome=outcome,
            reasons="The overlap was reviewed in the TOC's minutes of 3 March.",
        ),
    )


def withdraw(world: World, proposal_id: int, objection_id: int, by: str) -> Objection:
    return act(
        world,
        lambda s: objections.withdraw_objection(
            s,
            actor=world.actor(by),
            at=world.clock.now(),
            proposal_id=proposal_id,
            objection_id=objection_id,
            reason="answered on the list",
        ),
    )


def decisions_of(world: World, proposal_id: int) -> list[Decision]:
    with world.database.reader() as session:
        statement = select(Decision).where(Decision.proposal_id == proposal_id)
        return list(session.scalars(statement.order_by(Decision.id)))


def log_of(world: World, proposal_id: int, action: str) -> list[LogEntry]:
    with world.database.reader() as session:
        statement = select(LogEntry).where(
            LogEntry.proposal_id == proposal_id, LogEntry.action == action
        )
        return list(session.scalars(statement.order_by(LogEntry.seq)))


def at_the_board(world: World, kind: str = "standard") -> int:
    """A proposal the WG and the TOC passed: it waits for the Board to ratify it."""
    proposal_id = file(world, text=TEXT, kind=kind)
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    if kind == "standard":
        pass_ballot(world, proposal_id, "wendy", WG)  # last call
    pass_ballot(world, proposal_id, "tara", TOC)
    assert state_of(world, proposal_id) == "board_ratification"
    return proposal_id


def toc_decision(world: World, proposal_id: int) -> str:
    [decision] = [d for d in decisions_of(world, proposal_id) if d.number.startswith("TOC-")]
    return decision.number


def test_an_open_objection_holds_ratification_until_the_body_above_dismisses_it(
    world: World,
) -> None:
    proposal_id = at_the_board(world)
    objected = toc_decision(world, proposal_id)
    objection = lodge(world, proposal_id, "will", objected)
    assert objection.deciding_body_id == world.bodies["board"]  # the body above the TOC
    pass_ballot(world, proposal_id, "bob", BOARD)
    assert state_of(world, proposal_id) == "board_ratification"
    [held] = log_of(world, proposal_id, "ballot.outcome_not_applied")
    assert held.payload["action"] == "ratify"
    assert held.payload["reason"] == (
        f"guard no_open_objections failed: objection {objection.id} by Will to decision "
        f"{objected} is open before board"
    )
    with pytest.raises(GuardFailed, match="is open before board"):
        take(world, proposal_id, "ratify", "bob")
    for other in ("tara", "wendy", "bill"):  # not the deciding body's chair
        with pytest.raises(PermissionDenied, match="chair or co-chair of board"):
            decide(world, proposal_id, objection.id, other, "dismissed")
    with pytest.raises(InvalidInput, match="upheld or dismissed"):
        decide(world, proposal_id, objection.id, "bob", "ignored")
    dismissed = decide(world, proposal_id, objection.id, "bob", "dismissed")
    resolution = decisions_of(world, proposal_id)[-1]
    assert (resolution.kind, resolution.outcome) == ("objection", "dismissed")
    assert resolution.number.startswith("BOARD-2026-")
    assert "minutes of 3 March" in resolution.summary
    assert resolution.digest == next(d.digest for d in decisions_of(world, proposal_id))
    assert (dismissed.state, dismissed.resolution_decision_id) == ("dismissed", resolution.id)
    [logged] = log_of(world, proposal_id, "objection.resolved")
    assert logged.payload["decision"] == resolution.number
    with pytest.raises(Conflict, match="already dismissed"):
        decide(world, proposal_id, objection.id, "bob", "upheld")
    take(world, proposal_id, "ratify", "bob")  # the Board chair ratifies once it is decided
    assert state_of(world, proposal_id) == "published"


def test_objections_go_to_the_body_above(world: World) -> None:
    proposal_id = at_the_board(world)
    by_number = {d.number: d for d in decisions_of(world, proposal_id)}
    wg_decision = next(number for number in by_number if number.startswith("WG-"))
    to_toc = lodge(world, proposal_id, "olive", wg_decision)  # observers are members too
    assert to_toc.deciding_body_id == world.bodies["toc"]
    with pytest.raises(PermissionDenied, match="chair or co-chair of toc"):
        decide(world, proposal_id, to_toc.id, "wendy", "upheld")
    decide(world, proposal_id, to_toc.id, "tara", "dismissed")
    assert decisions_of(world, proposal_id)[-1].number.startswith("TOC-")
    # the Board decides objections to its own decisions
    pass_ballot(world, proposal_id, "bob", BOARD)
    assert state_of(world, proposal_id) == "published"
    board = next(
        d.number
        for d in decisions_of(world, proposal_id)
        if d.kind == "ballot" and d.number.startswith("BOARD-")
    )
    assert lodge(world, proposal_id, "tom", board).deciding_body_id == world.bodies["board"]


def test_an_upheld_objection_holds_the_text_it_was_about(world: World) -> None:
    proposal_id = at_the_board(world)
    objection = lodge(world, proposal_id, "will", toc_decision(world, proposal_id))
    pass_ballot(world, proposal_id, "bob", BOARD)
    decide(world, proposal_id, objection.id, "bob", "upheld")
    with pytest.raises(GuardFailed, match=r"was upheld by board .*needs a new revision"):
        take(world, proposal_id, "ratify", "bob")
    take(world, proposal_id, "board_return", "bob", reason="objection upheld")
    revise(world, proposal_id, "wendy", text=TEXT + "Provenance: see the provenance standard.\n")
    with world.database.reader() as session:
        facts = proposals.proposal_facts(session, proposals.get_proposal(session, proposal_id))
    assert (facts.open_objections, facts.open_objection_labels) == (0, ())


def test_outside_the_window_an_objection_is_refused(world: World) -> None:
    proposal_id = at_the_board(world)
    objected = toc_decision(world, proposal_id)
    decided_at = decisions_of(world, proposal_id)[-1].decided_at
    world.clock.advance(decided_at + timedelta(days=21) - world.clock.now())
    with pytest.raises(Conflict, match=rf"window for objections to {objected} closed .*21 days"):
        lodge(world, proposal_id, "will", objected)


def test_a_guideline_has_a_two_week_window(world: World) -> None:
    proposal_id = file(world, text=TEXT, kind="guideline")
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    [decision] = decisions_of(world, proposal_id)
    world.clock.advance(timedelta(days=13))
    early = lodge(world, proposal_id, "wren", decision.number)
    world.clock.advance(timedelta(days=1))
    with pytest.raises(Conflict, match="14 days after the decision"):
        lodge(world, proposal_id, "will", decision.number)
    # open, it holds publication after the TOC ballot; the TOC chair publishes once it is gone
    pass_ballot(world, proposal_id, "tara", TOC)
    assert state_of(world, proposal_id) == "toc_review"
    withdraw(world, proposal_id, early.id, "wren")
    take(world, proposal_id, "publish", "tara")
    assert state_of(world, proposal_id) == "published"


def test_who_may_lodge_and_withdraw(world: World) -> None:
    proposal_id = at_the_board(world)
    objected = toc_decision(world, proposal_id)
    for outsider in ("nobody", "auditor"):
        with pytest.raises(PermissionDenied):
            lodge(world, proposal_id, outsider, objected)
    with pytest.raises(NotFound, match="has no decision TOC-1999-001"):
        lodge(world, proposal_id, "will", "TOC-1999-001")
    other = file(world, text=TEXT)
    with pytest.raises(NotFound, match=f"proposal {other} has no decision"):
        lodge(world, other, "will", objected)
    objection = lodge(world, proposal_id, "will", objected)
    with pytest.raises(Conflict, match="already have an open objection"):
        lodge(world, proposal_id, "will", objected)
    with pytest.raises(PermissionDenied, match="only the person who lodged"):
        withdraw(world, proposal_id, objection.id, "bob")
    withdrawn = withdraw(world, proposal_id, objection.id, "will")
    assert (withdrawn.state, withdrawn.resolution) == ("withdrawn", "answered on the list")
    with pytest.raises(Conflict, match="already withdrawn"):
        withdraw(world, proposal_id, objection.id, "will")
    assert [e.payload["decision"] for e in log_of(world, proposal_id, "objection.lodged")] == [
        objected
    ]
    assert len(log_of(world, proposal_id, "objection.withdrawn")) == 1
    pass_ballot(world, proposal_id, "bob", BOARD)  # nothing holds it any more
    assert state_of(world, proposal_id) == "published"


def test_the_resolution_of_an_objection_is_final(world: World) -> None:
    proposal_id = at_the_board(world)
    objection = lodge(world, proposal_id, "will", toc_decision(world, proposal_id))
    decide(world, proposal_id, objection.id, "bob", "dismissed")
    resolution = decisions_of(world, proposal_id)[-1]
    with pytest.raises(Conflict, match="resolution is final"):
        lodge(world, proposal_id, "wren", resolution.number)


def test_a_workflow_without_a_window_allows_no_objections(database: Database) -> None:
    definitions = []
    for definition in load_bundled():
        data = definition.to_dict()
        data.pop("objection_window", None)
        definitions.append(WorkflowDefinition.from_dict(data))
    world = build_world(database, catalog=WorkflowCatalog(definitions))
    proposal_id = file(world, text=TEXT)
    take(world, proposal_id, "submit", "wendy")
    pass_ballot(world, proposal_id, "wendy", WG)
    [decision] = decisions_of(world, proposal_id)
    with pytest.raises(Conflict, match=r"standard v2 workflow .* allows no formal objections"):
        lodge(world, proposal_id, "will", decision.number)
