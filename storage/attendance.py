"""Repository functions for who came to a forum: check-ins at the door and people staff
counted without Telegram. They never commit: the caller's transaction does."""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from storage.models import CheckIn, Forum, Outbox, Rsvp

GOING = "going"


async def check_in(session: AsyncSession, forum_id: int, user_id: int) -> bool:
    """Record that the person came; False if they had already checked in."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(CheckIn).values(forum_id=forum_id, user_id=user_id).on_conflict_do_nothing()
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def checked_in(session: AsyncSession, forum_id: int) -> int:
    """Everyone who came: check-ins plus the people staff counted at the door."""
    people = await session.scalar(
        select(func.count()).select_from(CheckIn).where(CheckIn.forum_id == forum_id)
    )
    walk_ins = await session.scalar(select(Forum.walk_ins).where(Forum.id == forum_id))
    return (people or 0) + (walk_ins or 0)


def came(forum_id: int) -> Select[tuple[int]]:
    """The Telegram users who came: those who checked in, or, for a forum where nobody
    checked in (check-in not used), those who said they would come."""
    used = exists().where(CheckIn.forum_id == forum_id)
    checked = select(CheckIn.user_id).where(
        CheckIn.forum_id == forum_id, CheckIn.user_id.is_not(None)
    )
    said = select(Rsvp.user_id).where(Rsvp.forum_id == forum_id, Rsvp.status == GOING, ~used)
    return checked.union(said)  # type: ignore[return-value]


async def invited(session: AsyncSession, forum_id: int, kind: str) -> int:
    """People the forum's invitation (outbox kind `kind`) was sent to."""
    sent = await session.scalar(
        select(func.count())
        .select_from(Outbox)
        .where(Outbox.forum_id == forum_id, Outbox.kind == kind, Outbox.status == "sent")
    )
    return int(sent or 0)


async def forums_checked_in(session: AsyncSession, user_id: int) -> list[Forum]:
    """The forums the person checked in to, oldest first (for /mydata)."""
    rows = await session.scalars(
        select(Forum)
        .join(CheckIn, CheckIn.forum_id == Forum.id)
        .where(CheckIn.user_id == user_id)
        .order_by(Forum.starts_at, Forum.id)
    )
    return list(rows.all())
