"""Reminders: rows in the database, due some time before a forum (`REMINDER_OFFSETS`), that
become outbox rows once when their time has come, even after downtime. The same rows carry
staff's summary of access needs (audience `needs`, a week before) and the question for
feedback (audience `feedback`, the day after the forum)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.forums import feedback, needs
from bot.forums.notices import ForumNotice
from storage import forums as repo
from storage import outbox
from storage.models import Forum, Reminder

log = logging.getLogger(__name__)

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class Schedule:
    """When reminders go out and to whom."""

    offsets: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1))
    audience: Literal["attendees", "subscribers"] = "attendees"
    zone: ZoneInfo = UTC_ZONE  # the municipality's (`of`): feedback is asked at 10:00 there

    @classmethod
    def of(cls, settings: Settings) -> Schedule:
        return cls(settings.reminder_offsets, settings.reminder_audience, settings.zone)


async def plan(session: AsyncSession, forum: Forum, now: datetime, schedule: Schedule) -> None:
    """The forum's reminders that are still ahead, staff's summary of needs a week before
    (if that is still ahead), and the question for feedback the day after."""
    due = [forum.starts_at - offset for offset in schedule.offsets]
    await repo.add_reminders(session, forum.id, [d for d in due if d > now], schedule.audience)
    summary_at = needs.summary_due(forum)
    if summary_at > now:
        await repo.add_reminders(session, forum.id, [summary_at], needs.KIND)
    asked_at = feedback.due(forum, schedule.zone)
    await repo.add_reminders(session, forum.id, [asked_at], feedback.KIND)


async def send_due(session: AsyncSession, now: datetime, *, staff: Iterable[int] = ()) -> int:
    """Turn reminders whose time has come into outbox rows, once. After downtime a late
    reminder still goes out, unless its forum has already started: then it is dropped,
    with a log line; a late question for feedback goes out up to `feedback.LATEST` after
    it was due. `staff` (ADMIN_IDS) get the summary of needs, with the reviewers. (A
    delivery-worker hook.) Returns how many rows were queued."""
    queued = 0
    for reminder in await repo.due_reminders(session, now):
        forum = await repo.get_forum(session, reminder.forum_id)
        if forum is None or forum.status != repo.PUBLISHED:
            reminder.status = "dropped"
        elif reminder.audience == feedback.KIND:
            late = feedback.too_late(reminder.due_at, now)
            if late:
                log.warning(
                    "feedback for forum %s not asked: it was due at %s, too long ago",
                    forum.id, reminder.due_at.isoformat(),
                )  # fmt: skip
            queued += 0 if late else await feedback.ask(session, forum, now)
            reminder.status = "dropped" if late else "done"
        elif forum.starts_at <= now:
            reminder.status = "dropped"
            _log_too_late(reminder, forum)
        elif reminder.audience == needs.KIND:
            queued += await needs.queue_summary(session, forum, now, staff)
            reminder.status = "done"
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
        "reminder %s (%s) for forum %s dropped: it was due at %s, but the forum started at "
        "%s, before it could be sent",
        reminder.id,
        reminder.audience,
        forum.id,
        reminder.due_at.isoformat(),
        forum.starts_at.isoformat(),
    )
