"""users

Revision ID: 0c6eecd2e898
Revises:
Create Date: 2026-11-26 01:36:18.359394
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0c6eecd2e898"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column(
            "first_seen", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "last_seen", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("subscribed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_users")),
    )


def downgrade() -> None:
    op.drop_table("users")
