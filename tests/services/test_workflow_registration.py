"""Registering a workflow is a logged act, and ``log replay`` checks every filing against it."""

from __future__ import annotations

import json

from sqlalchemy import select, text
from testkit.drive import file
from testkit.tamper import drop_log_triggers
from testkit.world import World

from governance_engine.lifecycle import load_bundled
from governance_engine.log.replay_workflows import definition_digest
from governance_engine.persistence import log_writer
from governance_engine.persistence.models import LogEntry
from governance_engine.services import replay

V = next(d.version for d in load_bundled() if d.name == "standard")


def entries(world: World, *actions: str) -> list[LogEntry]:
    with world.database.reader() as session:
        statement = select(LogEntry).where(LogEntry.action.in_(actions)).order_by(LogEntry.seq)
        return list(session.scalars(statement))


def test_the_first_filing_under_a_version_registers_it_in_the_same_unit_of_work(
    world: World,
) -> None:
    [standard] = [d for d in load_bundled() if d.name == "standard"]
    first = file(world, by="wendy")
    file(world, by="wendy")  # the same version again: no second registration
    [registered] = entries(world, "workflow.registered")
    filed = entries(world, "proposal.filed")
    assert registered.seq == filed[0].seq - 1
    assert registered.actor_id == world.person_ids["wendy"]
    assert registered.subject_type == "workflow"
    assert registered.subject_id == f"standard/{standard.version}"
    assert registered.payload["digest"] == standard.digest()
    assert registered.payload["definition"] == standard.to_dict()
    assert definition_digest(registered.payload["definition"]) == standard.digest()
    assert filed[0].proposal_id == first
    assert filed[0].payload["workflow_digest"] == standard.digest()
    file(world, kind="guideline")
    versions = {d.name: d.version for d in load_bundled()}
    assert [e.subject_id for e in entries(world, "workflow.registered")] == [
        f"standard/{versions['standard']}",
        f"guideline/{versions['guideline']}",
    ]
    with world.database.reader() as session:
        assert replay.replay(session).ok  # first in its unit of work: it fixes the snapshot
    with world.database.reader() as session:
        assert log_writer.verify(session).ok


def test_replay_reports_a_registration_whose_digest_is_not_its_definitions(world: World) -> None:
    file(world)
    [registered] = entries(world, "workflow.registered")
    forged = "0" * 64
    with world.database.engine.begin() as connection:
        drop_log_triggers(connection)
        payload = dict(registered.payload, digest=forged)
        connection.execute(
            text("UPDATE log_entries SET payload = :p WHERE seq = :s"),
            {"p": json.dumps(payload), "s": registered.seq},
        )
    with world.database.reader() as session:
        report = replay.replay(session)
    where = f"log seq {registered.seq} (workflow.registered)"
    real = registered.payload["digest"]
    assert report.lines() == [
        f"workflow_versions[name=standard version={V}] digest: SHA-256 of {where} {real!r}, "
        f"{where} {forged!r}",
        f"proposals[id=1] workflow_digest: log (workflow.registered) {forged!r}, "
        f"log seq {registered.seq + 1} (proposal.filed) {real!r}",
        f"workflow_versions[name=standard version={V}] digest: log (workflow.registered) "
        f"{forged!r}, table (SHA-256 of the stored definition) {real!r}",
    ]


def test_replay_reports_a_stored_definition_edited_after_registration(world: World) -> None:
    file(world)
    with world.database.transaction() as session:
        session.execute(
            text("UPDATE workflow_versions SET definition = :d WHERE name = 'standard'"),
            {"d": json.dumps({"name": "standard", "version": 1, "title": "Edited"})},
        )
    with world.database.reader() as session:
        lines = replay.replay(session).lines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"workflow_versions[name=standard version={V}] digest: log (workflow.registered) "
    )


def test_replay_reports_a_filing_under_a_version_never_registered(world: World) -> None:
    file(world, kind="guideline")
    file(world)
    [_, registered] = entries(world, "workflow.registered")  # standard, registered second
    with world.database.engine.begin() as connection:
        drop_log_triggers(connection)
        connection.execute(text("DELETE FROM log_entries WHERE seq = :s"), {"s": registered.seq})
    with world.database.reader() as session:
        lines = replay.replay(session).lines()
    assert (
        "proposals[id=2] workflow: log seq "
        f"{registered.seq + 1} (proposal.filed) 'standard v{V} registered before filing', "
        "log (workflow.registered entries) 'not registered'"
    ) in lines
