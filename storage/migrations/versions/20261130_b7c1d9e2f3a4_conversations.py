"""conversations: one table for where a person's text goes (replaces staff_drafts,
pending_inputs and applications.paused)

Revision ID: b7c1d9e2f3a4
Revises: a9c3e5f7b1d2, f0a1b2c3d4e5
Create Date: 2026-11-30 12:00:00.000000
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "b7c1d9e2f3a4"
down_revision: str | tuple[str, ...] | None = ("a9c3e5f7b1d2", "f0a1b2c3d4e5")  # joins both
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)  # read back as a datetime, also from SQLite's text
conversations = sa.table(
    "conversations",
    sa.column("user_id", sa.BigInteger()),
    sa.column("flow", sa.String()),
    sa.column("step", sa.String()),
    sa.column("subject_id", sa.Integer()),
    sa.column("data", sa.JSON()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("flow", sa.String(length=24), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_conversations")),
    )
    rows = {row["user_id"]: row for row in _open_forms() + _staff_drafts() + _pending()}
    if rows:  # later sources win: the old inbox looked at pending input first
        op.bulk_insert(conversations, list(rows.values()))
    op.drop_table("pending_inputs")
    op.drop_table("staff_drafts")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("paused")


def _open_forms() -> list[dict[str, Any]]:
    found = op.get_bind().execute(
        sa.text(
            "SELECT applicant_id, id, updated_at FROM applications "
            "WHERE status = 'draft' AND NOT paused AND applicant_id IS NOT NULL"
        ).columns(updated_at=WHEN)
    )
    return [_row(user, "application", None, draft, {}, at) for user, draft, at in found.all()]


def _staff_drafts() -> list[dict[str, Any]]:
    found = op.get_bind().execute(
        sa.text(
            "SELECT user_id, kind, step, forum_id, newsletter_id, data, updated_at "
            "FROM staff_drafts"
        ).columns(data=sa.JSON(), updated_at=WHEN)
    )
    rows = []
    for user, kind, step, forum, letter, data, at in found.all():
        if kind == "newsletter":  # its step was the language being written
            rows.append(_row(user, kind, None, letter, {"language": step}, at))
        else:
            rows.append(_row(user, kind, step, forum, _json(data), at))
    return rows


def _pending() -> list[dict[str, Any]]:
    found = op.get_bind().execute(
        sa.text("SELECT user_id, kind, application_id, created_at FROM pending_inputs").columns(
            created_at=WHEN
        )
    )
    return [_row(user, kind, None, subject, {}, at) for user, kind, subject, at in found.all()]


def _row(  # noqa: PLR0917  (one column each)
    user: int, flow: str, step: str | None, subject: int | None, data: Any, at: Any
) -> dict[str, Any]:
    return {"user_id": user, "flow": flow, "step": step, "subject_id": subject, "data": data,
            "updated_at": at}  # fmt: skip


def _json(data: Any) -> Any:
    return json.loads(data) if isinstance(data, str) else (data or {})


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(
            sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "staff_drafts",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=True),
        sa.Column("newsletter_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_staff_drafts")),
    )
    op.create_table(
        "pending_inputs",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_pending_inputs_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_pending_inputs")),
    )
    op.drop_table("conversations")
