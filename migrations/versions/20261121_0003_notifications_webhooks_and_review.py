"""Notifications, reminders, webhooks (a transactional outbox), and review: comments, concerns, objections.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 08:20:47.397924
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("log_seq", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_events_event_type"), ["event_type"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_notifications_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_person_unread", ["person_id", "read_at"], unique=False
        )

    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column(
            "event_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name=op.f("fk_webhook_subscriptions_created_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')",
            name=op.f("ck_webhook_deliveries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_events.id"],
            name=op.f("fk_webhook_deliveries_event_id_outbox_events"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "subscription_id",
            "event_id",
            name=op.f("uq_webhook_deliveries_subscription_id_event_id"),
        ),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("line_start", sa.Integer(), nullable=True),
        sa.Column("line_end", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(line_start IS NULL AND line_end IS NULL) OR (line_start >= 1 AND line_end >= line_start)",
            name=op.f("ck_comments_line_range"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_comments_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_comments_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revisions.id"], name=op.f("fk_comments_revision_id_revisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("addressed_by_id", sa.Integer(), nullable=True),
        sa.Column("addressed_reason", sa.Text(), nullable=False),
        sa.Column("addressed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'addressed', 'resolved')", name=op.f("ck_concerns_state")
        ),
        sa.ForeignKeyConstraint(
            ["addressed_by_id"], ["people.id"], name=op.f("fk_concerns_addressed_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name=op.f("fk_concerns_body_id_bodies")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_concerns_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["people.id"], name=op.f("fk_concerns_raised_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revisions.id"], name=op.f("fk_concerns_revision_id_revisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concerns")),
    )
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concerns_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballots.id"], name=op.f("fk_reminders_ballot_id_ballots")
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_reminders_notification_id_notifications"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_reminders_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint(
            "ballot_id", "person_id", name=op.f("uq_reminders_ballot_id_person_id")
        ),
    )
    # A formal objection's resolution is a decision of its own kind. Before the objections
    # table exists, so that on SQLite the batch copy of decisions has no table referring to it.
    _decision_kinds("ballot", "transition", "objection")
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("lodged_by_id", sa.Integer(), nullable=False),
        sa.Column("deciding_body_id", sa.Integer(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lodged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution_decision_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('open', 'upheld', 'dismissed', 'withdrawn')",
            name=op.f("ck_objections_state"),
        ),
        sa.ForeignKeyConstraint(
            ["deciding_body_id"], ["bodies.id"], name=op.f("fk_objections_deciding_body_id_bodies")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_objections_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(
            ["lodged_by_id"], ["people.id"], name=op.f("fk_objections_lodged_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_objections_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["resolution_decision_id"],
            ["decisions.id"],
            name=op.f("fk_objections_resolution_decision_id_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_objections_proposal_id"), ["proposal_id"], unique=False
        )
    _create_search()


def downgrade() -> None:
    _drop_search()
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_objections_proposal_id"))

    op.drop_table("objections")
    _decision_kinds("ballot", "transition")
    op.drop_table("reminders")
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concerns_proposal_id"))

    op.drop_table("concerns")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_proposal_id"))

    op.drop_table("comments")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_due")

    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_person_unread")

    op.drop_table("notifications")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_events_event_type"))

    op.drop_table("outbox_events")


def _decision_kinds(*kinds: str) -> None:
    """Replace the CHECK on ``decisions.kind`` (a table copy on SQLite, ALTER on PostgreSQL)."""
    allowed = ", ".join(f"'{kind}'" for kind in kinds)
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_decisions_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_decisions_kind"), f"kind IN ({allowed})")


# Full-text search over proposal titles and summaries and the comments on them (retracted
# comments are left out). Not in the models' metadata: it is backend-specific and read only
# by ``persistence.repositories.review``, which must use the very same expressions.
#
# PostgreSQL: GIN indexes on the tsvector expressions the query matches against.
# SQLite: one FTS5 table kept by triggers, a row per proposal (rowid 2*id) and per comment
# (rowid 2*id+1), so every trigger finds its row by rowid. A later batch migration that copies
# the proposals or comments table on SQLite drops these triggers and must create them again.
_SQLITE_SEARCH_TRIGGERS = {
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
    "proposal_search_comment_insert": """
        AFTER INSERT ON comments WHEN new.retracted_at IS NULL BEGIN
            INSERT INTO proposal_search (rowid, proposal_id, text)
            VALUES (2 * new.id + 1, new.proposal_id, new.body);
        END""",
    "proposal_search_comment_update": """
        AFTER UPDATE OF body, retracted_at ON comments BEGIN
            DELETE FROM proposal_search WHERE rowid = 2 * old.id + 1;
            INSERT INTO proposal_search (rowid, proposal_id, text)
            SELECT 2 * new.id + 1, new.proposal_id, new.body WHERE new.retracted_at IS NULL;
        END""",
    "proposal_search_comment_delete": """
        AFTER DELETE ON comments BEGIN
            DELETE FROM proposal_search WHERE rowid = 2 * old.id + 1;
        END""",
}


def _create_search() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_proposals_search ON proposals "
            "USING gin (to_tsvector('english', title || ' ' || summary))"
        )
        op.execute(
            "CREATE INDEX ix_comments_search ON comments USING gin (to_tsvector('english', body))"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE proposal_search USING fts5("
        "proposal_id UNINDEXED, text, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    for name, definition in _SQLITE_SEARCH_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {definition}")
    op.execute(
        "INSERT INTO proposal_search (rowid, proposal_id, text) "
        "SELECT 2 * id, id, title || ' ' || summary FROM proposals"
    )


def _drop_search() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_comments_search")
        op.execute("DROP INDEX IF EXISTS ix_proposals_search")
        return
    for name in _SQLITE_SEARCH_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS proposal_search")
