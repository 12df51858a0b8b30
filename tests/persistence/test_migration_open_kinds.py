"""Migration 0007 opens proposal kinds on a database that already holds proposals."""

from __future__ import annotations

from sqlalchemy import func, select, text
from testkit.drive import file
from testkit.workflows import variant
from testkit.world import build_world

from governance_engine.lifecycle import load_bundled
from governance_engine.persistence import log_writer, migrate
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Proposal, Revision
from governance_engine.services import reads
from governance_engine.services.workflows import WorkflowCatalog


def test_existing_proposals_survive_and_any_kind_can_be_filed(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        migrate.upgrade(database.engine, "0006")
        world = build_world(database)
        filed = file(world, title="Zebra crossings", text="# Zebra\n")

        migrate.upgrade(database.engine)

        assert migrate.current_revisions(database.engine) == migrate.head_revisions()
        with database.reader() as session:
            assert session.get(Proposal, filed) is not None
            assert session.scalar(select(func.count()).select_from(Revision)) == 1
            assert log_writer.verify(session).ok
        if database.backend == "sqlite":
            with database.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        world.catalog = WorkflowCatalog([*load_bundled(), variant("charter_motion", "motion")])
        motion = file(world, kind="motion", title="Quiet hours")
        with database.reader() as session:
            proposal = session.get(Proposal, motion)
            assert proposal is not None
            assert proposal.kind == "motion"
            # the full-text index of proposals still follows new and changed rows
            found = reads.list_proposals(session, after=0, limit=10, text="quiet")
            assert [summary.proposal.id for summary in found] == [motion]
            found = reads.list_proposals(session, after=0, limit=10, text="zebra")
            assert [summary.proposal.id for summary in found] == [filed]
        with database.engine.connect() as connection:
            kinds = connection.execute(text("SELECT kind FROM workflow_versions")).scalars()
            assert "motion" in set(kinds)
    finally:
        database.dispose()
