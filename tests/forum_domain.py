"""For unit tests of the forum and newsletter domain, without Telegram: a migrated database
of the test's own, people in it, and a forum's fields. Time is whatever the test says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.forums import lifecycle
from bot.forums.notices import Staff
from bot.forums.reminders import Schedule
from bot.forums.rules import AUTHORITATIVE, ForumFields
from storage import migrate
from storage.db import Database
from storage.models import Outbox, Rsvp, User

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Stockholm")


@asynccontextmanager
async def database(url: str) -> AsyncIterator[Database]:
    db = Database.connect(url)
    try:
        await migrate.upgrade(db.engine)
        yield db
    finally:
        await db.close()


async def people(db: Database, *ids: int, subscribed: bool = True) -> None:
    async with db.transaction() as session:
        session.add_all(User(telegram_id=i, language="sv", subscribed=subscribed) for i in ids)


def fields(**changes: Any) -> ForumFields:
    """A forum ten days from `NOW`, two hours long, at the town hall."""
    start = NOW + timedelta(days=10)
    forum = ForumFields(
        titles={AUTHORITATIVE: "Dialogforum om lokaler"},
        descriptions={AUTHORITATIVE: "Hur delar vi på lokalerna?"},
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="Stadshuset",
    )
    return replace(forum, **changes)


async def published(db: Database, schedule: Schedule | None = None, **changes: Any) -> int:
    """A forum (see `fields`) created and published at `NOW`; its id."""
    async with db.transaction() as session:
        forum = await lifecycle.create(session, fields(**changes), None, NOW)
        await lifecycle.publish(session, forum, NOW, schedule or Schedule(), Staff())
        return forum.id


async def rows(db: Database, kind: str) -> list[Outbox]:
    async with db.transaction() as session:
        found = await session.scalars(select(Outbox).where(Outbox.kind == kind))
        return sorted(found, key=lambda row: row.recipient)


async def statuses(db: Database, forum_id: int) -> dict[int, str]:
    async with db.transaction() as session:
        found = await session.scalars(select(Rsvp).where(Rsvp.forum_id == forum_id))
        return {rsvp.user_id: rsvp.status for rsvp in found}
