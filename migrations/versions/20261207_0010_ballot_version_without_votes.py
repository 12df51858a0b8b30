"""A ballot's stored version no longer counts votes: votes stop writing the ballot's row.

The ballot's ETag (``Ballot.current_version``) is now the stored version plus the votes cast
and changed, counted from the votes; existing ballots keep the ETag they had.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-07 23:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE ballots SET version = version - (SELECT count(*) + coalesce(sum(votes.changes), 0)"
        " FROM votes WHERE votes.ballot_id = ballots.id)"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE ballots SET version = version + (SELECT count(*) + coalesce(sum(votes.changes), 0)"
        " FROM votes WHERE votes.ballot_id = ballots.id)"
    )
