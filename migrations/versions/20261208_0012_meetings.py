"""Meetings of a body, their attendance, and the motions voted in them.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-08 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("scheduled_at", _TIME, nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("proxies_allowed", sa.Boolean(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("opened_at", _TIME, nullable=True),
        sa.Column("closed_at", _TIME, nullable=True),
        sa.CheckConstraint(
            "state IN ('scheduled', 'open', 'closed')", name=op.f("ck_meetings_state")
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name=op.f("fk_meetings_body_id_bodies")
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["people.id"], name=op.f("fk_meetings_chair_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_meetings_created_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index(op.f("ix_meetings_body_id"), "meetings", ["body_id"])
    op.create_table(
        "meeting_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proxy_holder_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", _TIME, nullable=False),
        sa.CheckConstraint(
            "status IN ('present', 'remote', 'proxy', 'apologies', 'absent')",
            name=op.f("ck_meeting_attendance_status"),
        ),
        sa.CheckConstraint(
            "(status = 'proxy') = (proxy_holder_id IS NOT NULL)",
            name=op.f("ck_meeting_attendance_proxy_holder_iff_proxy"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_attendance_meeting_id_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_meeting_attendance_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["proxy_holder_id"],
            ["people.id"],
            name=op.f("fk_meeting_attendance_proxy_holder_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["people.id"],
            name=op.f("fk_meeting_attendance_recorded_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendance")),
        sa.UniqueConstraint(
            "meeting_id", "person_id", name=op.f("uq_meeting_attendance_meeting_id_person_id")
        ),
    )
    op.create_index(op.f("ix_meeting_attendance_meeting_id"), "meeting_attendance", ["meeting_id"])
    op.create_table(
        "motions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rule_name", sa.String(length=64), nullable=False),
        sa.Column("rule", _JSON, nullable=False),
        sa.Column("electorate", _JSON, nullable=False),
        sa.Column("present", _JSON, nullable=False),
        sa.Column("positions", _JSON, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("tally", _JSON, nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", _TIME, nullable=False),
        sa.CheckConstraint(
            "outcome IN ('passed', 'failed', 'no_quorum')", name=op.f("ck_motions_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_motions_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_motions_body_id_bodies")),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["people.id"], name=op.f("fk_motions_raised_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motions")),
    )
    op.create_index(op.f("ix_motions_meeting_id"), "motions", ["meeting_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_motions_meeting_id"), table_name="motions")
    op.drop_table("motions")
    op.drop_index(op.f("ix_meeting_attendance_meeting_id"), table_name="meeting_attendance")
    op.drop_table("meeting_attendance")
    op.drop_index(op.f("ix_meetings_body_id"), table_name="meetings")
    op.drop_table("meetings")
