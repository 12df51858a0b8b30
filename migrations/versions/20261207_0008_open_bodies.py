"""Open bodies: any kind, several of a kind, and an optional parent body.

Drops the check that kept ``bodies.kind`` to board/toc/working_group and the partial unique
index that allowed one TOC and one Board; adds ``parent_id`` (where formal objections and
appeals about the body's decisions go; a body is never its own parent).

SQLite cannot drop a CHECK constraint, so there the table is rebuilt. Other tables refer to
``bodies`` and foreign keys are on, so the rows are put back *after* the new table exists,
with foreign-key checks deferred to the commit: every reference resolves again by then.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_INDEX = "uq_bodies_single_toc_and_board"
_OLD_KINDS = "kind IN ('toc', 'board')"
_TABLE = """CREATE TABLE bodies (
    id INTEGER NOT NULL,
    slug VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    description TEXT NOT NULL,
    created_at DATETIME NOT NULL,{extra}
    CONSTRAINT pk_bodies PRIMARY KEY (id),
    CONSTRAINT uq_bodies_slug UNIQUE (slug),
    {constraints}
)"""
_NEW = _TABLE.format(
    extra="\n    parent_id INTEGER,",
    constraints="CONSTRAINT ck_bodies_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id),\n"
    "    CONSTRAINT fk_bodies_parent_id_bodies FOREIGN KEY(parent_id) REFERENCES bodies (id)",
)
_OLD = _TABLE.format(
    extra="",
    constraints="CONSTRAINT ck_bodies_kind CHECK (kind IN ('board', 'toc', 'working_group'))",
)


def _rebuild_sqlite(create: str) -> None:
    op.execute("PRAGMA defer_foreign_keys = ON")
    op.execute(
        "CREATE TABLE _bodies_copy AS "
        "SELECT id, slug, name, kind, description, created_at FROM bodies"
    )
    op.execute("DROP TABLE bodies")
    op.execute(create)
    op.execute(
        "INSERT INTO bodies (id, slug, name, kind, description, created_at) "
        "SELECT id, slug, name, kind, description, created_at FROM _bodies_copy"
    )
    op.execute("DROP TABLE _bodies_copy")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(_NEW)
    else:
        op.drop_index(_OLD_INDEX, table_name="bodies")
        op.drop_constraint(op.f("ck_bodies_kind"), "bodies", type_="check")
        op.add_column("bodies", sa.Column("parent_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_bodies_parent_id_bodies"), "bodies", "bodies", ["parent_id"], ["id"]
        )
        op.create_check_constraint(
            op.f("ck_bodies_not_own_parent"), "bodies", "parent_id IS NULL OR parent_id <> id"
        )
    op.create_index(op.f("ix_bodies_parent_id"), "bodies", ["parent_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bodies_parent_id"), table_name="bodies")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(_OLD)
    else:
        op.drop_constraint(op.f("ck_bodies_not_own_parent"), "bodies", type_="check")
        op.drop_constraint(op.f("fk_bodies_parent_id_bodies"), "bodies", type_="foreignkey")
        op.drop_column("bodies", "parent_id")
        op.create_check_constraint(
            op.f("ck_bodies_kind"), "bodies", "kind IN ('board', 'toc', 'working_group')"
        )
    op.create_index(
        _OLD_INDEX,
        "bodies",
        ["kind"],
        unique=True,
        sqlite_where=sa.text(_OLD_KINDS),
        postgresql_where=sa.text(_OLD_KINDS),
    )
