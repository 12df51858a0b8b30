"""Signing in as a person: identity links, invitations, e-mail sign-in links, rate counters;
organizations' e-mail domains; web sessions opened without an API token.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "identity_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("linked_how", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "linked_how IN ('admin', 'invitation', 'email_domain')",
            name=op.f("ck_identity_links_linked_how"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_identity_links_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_links")),
    )
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_links_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "uq_identity_links_live",
            ["issuer", "subject"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    for name in ("invitations", "sign_in_links"):
        extra = (
            [sa.Column("invited_by", sa.Integer(), nullable=True)] if name == "invitations" else []
        )
        foreign = (
            [
                sa.ForeignKeyConstraint(
                    ["invited_by"], ["people.id"], name=op.f("fk_invitations_invited_by_people")
                )
            ]
            if name == "invitations"
            else []
        )
        op.create_table(
            name,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            *extra,
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(
                ["person_id"], ["people.id"], name=op.f(f"fk_{name}_person_id_people")
            ),
            *foreign,
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
            sa.UniqueConstraint("token_hash", name=op.f(f"uq_{name}_token_hash")),
        )
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{name}_person_id"), ["person_id"], unique=False)

    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_counters")),
    )
    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_counters_expires_at"), ["expires_at"], unique=False
        )

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_domains", _JSON, nullable=False, server_default=sa.text("'[]'"))
        )

    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.alter_column("token_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("identity_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("method", sa.String(length=16), nullable=False, server_default="token")
        )
        batch_op.create_index(
            batch_op.f("ix_web_sessions_identity_id"), ["identity_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_web_sessions_identity_id_identity_links"),
            "identity_links",
            ["identity_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_web_sessions_identity_id_identity_links"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_web_sessions_identity_id"))
        batch_op.drop_column("method")
        batch_op.drop_column("identity_id")
    # Sessions opened without a token cannot be kept once token_id is required again.
    op.execute("DELETE FROM web_sessions WHERE token_id IS NULL")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.alter_column("token_id", existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("email_domains")

    with op.batch_alter_table("rate_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_counters_expires_at"))
    op.drop_table("rate_counters")
    for name in ("sign_in_links", "invitations"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_person_id"))
        op.drop_table(name)
    with op.batch_alter_table("identity_links", schema=None) as batch_op:
        batch_op.drop_index("uq_identity_links_live")
        batch_op.drop_index(batch_op.f("ix_identity_links_person_id"))
    op.drop_table("identity_links")
