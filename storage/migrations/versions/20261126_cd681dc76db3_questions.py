"""questions

Revision ID: cd681dc76db3
Revises: 0c6eecd2e898
Create Date: 2026-11-26 01:44:23.431795
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cd681dc76db3"
down_revision: str | None = "0c6eecd2e898"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("pack", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("entry_id", sa.String(length=80), nullable=True),
        sa.Column("confident", sa.Boolean(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("forwarded_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("forwarded_message_id", sa.BigInteger(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index(op.f("ix_questions_created_at"), "questions", ["created_at"])
    op.create_index(
        "ix_questions_forwarded", "questions", ["forwarded_chat_id", "forwarded_message_id"]
    )
    op.create_index(op.f("ix_questions_user_id"), "questions", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_questions_user_id"), table_name="questions")
    op.drop_index("ix_questions_forwarded", table_name="questions")
    op.drop_index(op.f("ix_questions_created_at"), table_name="questions")
    op.drop_table("questions")
