"""The chain head carries a tag that changes whenever a webhook subscription does.

Every log append fans its event out to the active webhook subscriptions. With this tag, read
with the head under its lock, a process can keep the subscriptions it last read and skip
reading them again until the tag moves. Triggers set it, so no writer can forget to; the new
value is random rather than a counter, so a change that rolls back can never make a tag
that a later change reuses.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 10:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def upgrade() -> None:
    with op.batch_alter_table("log_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subscriptions_tag", sa.BigInteger(), server_default="0", nullable=False)
        )
    if op.get_bind().dialect.name == "sqlite":
        for operation in _OPERATIONS:
            name = f"webhook_subscriptions_retag_{operation.lower()}"
            op.execute(
                f"CREATE TRIGGER {name} AFTER {operation} ON webhook_subscriptions "  # noqa: S608
                "BEGIN UPDATE log_head SET subscriptions_tag = random() WHERE id = 1; END"
            )
        return
    op.execute(
        """
        CREATE FUNCTION webhook_subscriptions_retag() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE log_head
            SET subscriptions_tag = floor(random() * 9007199254740991)::bigint
            WHERE id = 1;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER webhook_subscriptions_retag "
        "AFTER INSERT OR UPDATE OR DELETE ON webhook_subscriptions "
        "FOR EACH STATEMENT EXECUTE FUNCTION webhook_subscriptions_retag()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for operation in _OPERATIONS:
            op.execute(f"DROP TRIGGER IF EXISTS webhook_subscriptions_retag_{operation.lower()}")
    else:
        op.execute("DROP TRIGGER IF EXISTS webhook_subscriptions_retag ON webhook_subscriptions")
        op.execute("DROP FUNCTION IF EXISTS webhook_subscriptions_retag()")
    with op.batch_alter_table("log_head", schema=None) as batch_op:
        batch_op.drop_column("subscriptions_tag")
