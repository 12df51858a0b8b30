"""Merkle roots of complete blocks of log entries, kept so proofs need not read every leaf.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 10:53:34.561450
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merkle_blocks",
        sa.Column("height", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("height", "position", name=op.f("pk_merkle_blocks")),
    )


def downgrade() -> None:
    op.drop_table("merkle_blocks")
