"""Open proposal kinds: a workflow may serve any kind (``[a-z][a-z0-9_-]*``, checked at load).

Drops the CHECK that held ``proposals.kind`` and ``workflow_versions.kind`` to project,
standard and guideline. On SQLite that copies both tables; the full-text search triggers on
``proposals`` (migration 0003) go with the old table and are made again here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 23:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BUNDLED_KINDS = "kind IN ('project', 'standard', 'guideline')"

# The triggers of migration 0003 that keep the SQLite full-text index of proposals.
_SQLITE_PROPOSAL_SEARCH_TRIGGERS = {
    "proposal_search_proposal_insert": """
        AFTER INSERT ON proposals BEGIN
            INSERT INTO proposal_search (rowid, proposal_id, text)
            VALUES (2 * new.id, new.id, new.title || ' ' || new.summary);
        END""",
    "proposal_search_proposal_update": """
        AFTER UPDATE OF title, summary ON proposals BEGIN
            DELETE FROM proposal_search WHERE rowid = 2 * old.id;
            INSERT INTO proposal_search (rowid, proposal_id, text)
            VALUES (2 * new.id, new.id, new.title || ' ' || new.summary);
        END""",
    "proposal_search_proposal_delete": """
        AFTER DELETE ON proposals BEGIN
            DELETE FROM proposal_search WHERE rowid = 2 * old.id;
        END""",
}


def upgrade() -> None:
    for table in ("workflow_versions", "proposals"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_kind"), type_="check")
    _restore_search_triggers()


def downgrade() -> None:
    for table in ("workflow_versions", "proposals"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(batch_op.f(f"ck_{table}_kind"), _BUNDLED_KINDS)
    _restore_search_triggers()


def _restore_search_triggers() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, definition in _SQLITE_PROPOSAL_SEARCH_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {definition}")
