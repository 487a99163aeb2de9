"""Reminders: rows in the database, due some time before a forum (`REMINDER_OFFSETS`), that
become outbox rows once when their time has come, even after downtime."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.forums.notices import ForumNotice
from storage import forums as repo
from storage import outbox
from storage.models import Forum, Reminder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    """When reminders go out and to whom."""

    offsets: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1))
    audience: Literal["attendees", "subscribers"] = "attendees"

    @classmethod
    def of(cls, settings: Settings) -> Schedule:
        return cls(settings.reminder_offsets, settings.reminder_audience)


async def plan(session: AsyncSession, forum: Forum, now: datetime, schedule: Schedule) -> None:
    """The forum's reminders that are still ahead."""
    due = [forum.starts_at - offset for offset in schedule.offsets]
    await repo.add_reminders(session, forum.id, [d for d in due if d > now], schedule.audience)


async def send_due(session: AsyncSession, now: datetime) -> int:
    """Turn reminders whose time has come into outbox rows, once. After downtime a late
    reminder still goes out, unless its forum has already started: then it is dropped,
    with a log line. (A delivery-worker hook.) Returns how many rows were queued."""
    queued = 0
    for reminder in await repo.due_reminders(session, now):
        forum = await repo.get_forum(session, reminder.forum_id)
        if forum is None or forum.status != repo.PUBLISHED:
            reminder.status = "dropped"
        elif forum.starts_at <= now:
            reminder.status = "dropped"
            _log_too_late(reminder, forum)
        else:
            queued += await _queue(session, reminder, forum, now)
            reminder.status = "done"
    return queued


async def _queue(session: AsyncSession, reminder: Reminder, forum: Forum, now: datetime) -> int:
    audience = (
        repo.subscribers_except_declined(forum.id)
        if reminder.audience == "subscribers"
        else repo.attendees_of(forum.id)
    )
    return await outbox.enqueue_to(
        session,
        audience,
        kind=ForumNotice.REMINDER,
        due_at=now,
        forum_id=forum.id,
        payload={"reminder_id": reminder.id},
    )


def _log_too_late(reminder: Reminder, forum: Forum) -> None:
    log.warning(
        "reminder %s for forum %s dropped: it was due at %s, but the forum started at %s, "
        "before it could be sent",
        reminder.id,
        forum.id,
        reminder.due_at.isoformat(),
        forum.starts_at.isoformat(),
    )
