"""the agreement's year and the web: links (invitations, check-in, contacts, calendar feeds),
check-ins, access needs, feedback, minutes, yearly follow-ups

Revision ID: c4d8e1f2a3b5
Revises: b7c1d9e2f3a4
Create Date: 2026-11-30 13:31:07.399520
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4d8e1f2a3b5"
down_revision: str | None = "b7c1d9e2f3a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("pack", sa.String(length=40), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followups")),
        sa.UniqueConstraint("year", name=op.f("uq_followups_year")),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
        sa.UniqueConstraint("token", name=op.f("uq_links_token")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index("ix_links_kind_subject", ["kind", "subject_id"], unique=False)

    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["forum_id"], ["forums.id"], name=op.f("fk_checkins_forum_id_forums")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("forum_id", "user_id", name=op.f("uq_checkins_forum_id")),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["forum_id"], ["forums.id"], name=op.f("fk_feedback_forum_id_forums")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("forum_id", "user_id", name=op.f("uq_feedback_forum_id")),
    )
    op.create_table(
        "followup_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("step", sa.String(length=80), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("change", sa.String(length=1000), nullable=True),
        sa.Column("still_active", sa.Boolean(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["followup_id"],
            ["followups.id"],
            name=op.f("fk_followup_answers_followup_id_followups"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_followup_answers_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_answers")),
        sa.UniqueConstraint(
            "followup_id", "member_id", name=op.f("uq_followup_answers_followup_id")
        ),
    )
    with op.batch_alter_table("forums", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("walk_ins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("minutes", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("minutes_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("inactive_reported_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_members_contact_id"), ["contact_id"], unique=False)

    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interpretation", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("needs", sa.String(length=500), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("wants_summaries", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("wants_summaries")

    with op.batch_alter_table("rsvps", schema=None) as batch_op:
        batch_op.drop_column("needs")
        batch_op.drop_column("interpretation")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_contact_id"))
        batch_op.drop_column("left_on")
        batch_op.drop_column("inactive_reported_at")
        batch_op.drop_column("contact_id")

    with op.batch_alter_table("forums", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("minutes_sent_at")
        batch_op.drop_column("minutes")
        batch_op.drop_column("walk_ins")

    op.drop_table("followup_answers")
    op.drop_table("feedback")
    op.drop_table("checkins")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_kind_subject")

    op.drop_table("links")
    op.drop_table("followups")
