"""Witness keys and their cosignatures of checkpoints.

Revision ID: 0009
Revises: 0011
Create Date: 2026-12-08 00:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "witness_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("verifier_key", sa.String(length=400), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["people.id"],
            name=op.f("fk_witness_keys_registered_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_keys")),
        sa.UniqueConstraint("name", name=op.f("uq_witness_keys_name")),
        sa.UniqueConstraint("verifier_key", name=op.f("uq_witness_keys_verifier_key")),
    )
    op.create_table(
        "cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("witness_key_id", sa.Integer(), nullable=False),
        sa.Column("cosigned_at", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["witness_key_id"],
            ["witness_keys.id"],
            name=op.f("fk_cosignatures_witness_key_id_witness_keys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cosignatures")),
        sa.UniqueConstraint(
            "tree_size", "witness_key_id", name=op.f("uq_cosignatures_tree_size_witness_key_id")
        ),
    )
    op.create_index(op.f("ix_cosignatures_tree_size"), "cosignatures", ["tree_size"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cosignatures_tree_size"), table_name="cosignatures")
    op.drop_table("cosignatures")
    op.drop_table("witness_keys")
