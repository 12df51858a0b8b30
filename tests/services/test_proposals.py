from __future__ import annotations

import pytest
from sqlalchemy import func, select
from testkit.drive import TEXT, act, file, revise, take
from testkit.world import World

from governance_engine.errors import (
    ActionNotAvailable,
    Conflict,
    GuardFailed,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleVersion,
)
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import Decision, LogEntry, Proposal
from governance_engine.services import proposals


def log_actions(world: World, proposal_id: int) -> list[str]:
    with world.database.reader() as session:
        statement = select(LogEntry.action).where(LogEntry.proposal_id == proposal_id)
        return list(session.scalars(statement.order_by(LogEntry.seq)))


def test_chair_files_a_proposal_in_the_initial_state(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    with world.database.reader() as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None
        assert (proposal.state, proposal.workflow_name, proposal.workflow_version) == (
            "draft",
            "standard",
            2,
        )
        revision = proposals.get_proposal(session, proposal_id)
        assert revision.version == 2  # filed, then its first revision
    assert log_actions(world, proposal_id) == ["proposal.filed", "revision.added"]


def test_member_files_only_as_an_author(world: World) -> None:
    assert file(world, by="will")  # authors default to the filer
    with pytest.raises(PermissionDenied, match="only the chair of wg-trust-validation"):
        file(world, by="will", author_ids=[world.person_ids["wren"]])


@pytest.mark.parametrize("who", ["nobody", "olive", "hana", "tara", "auditor"])
def test_people_outside_the_working_group_cannot_file(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        file(world, by=who)


def test_filing_refuses_bad_input(world: World) -> None:
    with pytest.raises(InvalidInput, match="title"):
        file(world, title="  ")
    with pytest.raises(NotFound, match="wg-nope"):
        file(world, sponsor_slug="wg-nope")
    with pytest.raises(InvalidInput, match="sponsored by a body of kind working_group"):
        file(world, sponsor_slug="toc")
    with pytest.raises(InvalidInput, match="no workflow serves proposals of kind 'manifesto'"):
        file(world, kind="manifesto")
    with pytest.raises(InvalidInput, match="there is no workflow 'manifesto'"):
        file(world, kind=None, workflow="manifesto")


def test_submit_needs_a_revision(world: World) -> None:
    proposal_id = file(world)
    with pytest.raises(GuardFailed, match="has_revision"):
        take(world, proposal_id, "submit", "wendy")
    revise(world, proposal_id, "wendy")
    proposal = take(world, proposal_id, "submit", "wendy")
    assert proposal.state == "wg_review"
    assert log_actions(world, proposal_id)[-1] == "proposal.transitioned"


def test_refusals_say_why(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    with pytest.raises(PermissionDenied, match=r"only the chair of wg-trust-validation"):
        take(world, proposal_id, "submit", "will")
    with pytest.raises(ActionNotAvailable, match=r"'ratify' is not available .* 'draft'"):
        take(world, proposal_id, "ratify", "wendy")
    with pytest.raises(ActionNotAvailable, match="no_such_action"):
        take(world, proposal_id, "no_such_action", "wendy")
    with pytest.raises(PermissionDenied, match="auditor"):
        take(world, proposal_id, "submit", "auditor")


def test_system_actions_are_not_for_people(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    take(world, proposal_id, "submit", "wendy")
    with pytest.raises(PermissionDenied, match="only the system"):
        take(world, proposal_id, "start_last_call", "wendy")


def test_stale_expected_version_is_refused(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    with pytest.raises(StaleVersion, match="version 2, not 1"):
        take(world, proposal_id, "submit", "wendy", expected_version=1)
    assert take(world, proposal_id, "submit", "wendy", expected_version=2).version == 3


def test_revisions_are_numbered_and_digested(world: World) -> None:
    proposal_id = file(world)
    first = revise(world, proposal_id, "wendy", text="one")
    second = revise(world, proposal_id, "wendy", text="two")
    assert (first.number, second.number) == (1, 2)
    assert first.digest != second.digest
    assert len(second.digest) == 64
    with pytest.raises(InvalidInput, match="identical to revision 2"):
        revise(world, proposal_id, "wendy", text="two")
    with pytest.raises(PermissionDenied, match="only an author"):
        revise(world, proposal_id, "will", text="three")


def test_withdraw_ends_the_lifecycle_with_a_decision(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    with pytest.raises(InvalidInput, match="reason"):
        act(
            world,
            lambda s: proposals.withdraw(
                s,
                actor=world.actor("wendy"),
                at=world.clock.now(),
                catalog=world.catalog,
                proposal_id=proposal_id,
                reason=" ",
            ),
        )
    act(
        world,
        lambda s: proposals.withdraw(
            s,
            actor=world.actor("wendy"),
            at=world.clock.now(),
            catalog=world.catalog,
            proposal_id=proposal_id,
            reason="superseded by a joint proposal",
        ),
    )
    with world.database.reader() as session:
        decision = session.scalars(select(Decision)).one()
        assert decision.number == "WG-TRUST-VALIDATION-2026-001"
        assert (decision.kind, decision.outcome) == ("transition", "withdrawn")
        assert log_writer.verify(session).ok
    with pytest.raises(Conflict, match="no more revisions"):
        revise(world, proposal_id, "wendy", text="after the end")
    with pytest.raises(ActionNotAvailable):
        take(world, proposal_id, "submit", "wendy")


def test_available_actions_follow_roles_and_guards(world: World) -> None:
    proposal_id = file(world)

    def available(who: str) -> dict[str, tuple[str, ...]]:
        with world.database.reader() as session:
            found = proposals.available_actions(
                session,
                actor=world.actor(who),
                at=world.clock.now(),
                catalog=world.catalog,
                proposal_id=proposal_id,
            )
        return {action.name: action.blocked_by for action in found}

    chair = available("wendy")
    assert "submit" in chair
    assert any("has_revision" in reason for reason in chair["submit"])
    assert "submit" not in available("will")
    assert available("auditor") == {}
    assert available("nobody") == {}
    revise(world, proposal_id, "wendy")
    assert available("wendy")["submit"] == ()


def test_every_change_has_one_log_entry(world: World) -> None:
    proposal_id = file(world, text=TEXT)
    take(world, proposal_id, "submit", "wendy")
    with world.database.reader() as session:
        proposal = proposals.get_proposal(session, proposal_id)
        entries = session.scalar(select(func.count()).where(LogEntry.proposal_id == proposal_id))
    # filed (v1), revision (v2), submit (v3): one entry per version
    assert proposal.version == entries == 3
