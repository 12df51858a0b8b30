"""Migration 0007 opens proposal kinds on a database that already holds proposals."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text
from testkit.drive import file
from testkit.workflows import variant
from testkit.world import build_world

from governance_engine.lifecycle import load_bundled
from governance_engine.persistence import migrate
from governance_engine.persistence.database import Database
from governance_engine.persistence.models import Proposal, Revision
from governance_engine.services import reads
from governance_engine.services.workflows import WorkflowCatalog

_PERSON = "(SELECT id FROM people WHERE email = 'old@example.org')"
_PROPOSAL = "(SELECT id FROM proposals WHERE title = 'Zebra crossings')"
# No explicit ids: PostgreSQL's sequences would not know of them.
_AT_0006 = [
    "INSERT INTO people (name, email, is_admin, is_auditor, active, created_at) "
    "VALUES ('Old Chair', 'old@example.org', false, false, true, :at)",
    "INSERT INTO bodies (slug, name, kind, description, created_at) "
    "VALUES ('wg-legacy', 'Legacy', 'working_group', '', :at)",
    "INSERT INTO workflow_versions (name, version, kind, digest, definition, created_at) "
    "VALUES ('standard', 1, 'standard', :digest, '{}', :at)",
    "INSERT INTO proposals (kind, title, summary, sponsor_body_id, state, workflow_name, "
    "workflow_version, version, filed_by_id, created_at, updated_at, state_entered_at) "
    "SELECT 'standard', 'Zebra crossings', '', (SELECT id FROM bodies WHERE slug = 'wg-legacy'), "
    f"'draft', 'standard', 1, 1, {_PERSON}, :at, :at, :at",
    "INSERT INTO revisions (proposal_id, number, text, digest, note, created_by_id, created_at) "
    f"SELECT {_PROPOSAL}, 1, '# Zebra', :digest, '', {_PERSON}, :at",
]


def _a_proposal_as_0006_stored_it(database: Database) -> int:
    values = {"at": datetime(2026, 1, 5, tzinfo=UTC), "digest": "0" * 64}
    with database.engine.begin() as connection:
        for statement in _AT_0006:
            connection.execute(text(statement), values)
        return int(connection.execute(text(_PROPOSAL.strip("()"))).scalar_one())


def test_existing_proposals_survive_and_any_kind_can_be_filed(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        migrate.upgrade(database.engine, "0006")
        filed = _a_proposal_as_0006_stored_it(database)  # the models are at head: plain SQL

        migrate.upgrade(database.engine)

        assert migrate.current_revisions(database.engine) == migrate.head_revisions()
        with database.reader() as session:
            assert session.get(Proposal, filed) is not None
            assert session.scalar(select(func.count()).select_from(Revision)) == 1
        world = build_world(database)
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
