"""A forum's life: created as a draft, texts added in other languages, published to every
subscriber, given a new time, cancelled. Who must know is told through the outbox, in the
same transaction as the change."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forums import links
from bot.forums.notices import UNSENT_WHEN_CANCELLED, ForumNotice, Staff, notify
from bot.forums.reminders import Schedule, plan
from bot.forums.rules import MAX_DESCRIPTION, MAX_TITLE, ForumError, ForumFields, Problem, check
from storage import forums as repo
from storage import outbox
from storage.models import Broadcast, Forum

log = logging.getLogger(__name__)

UID_DOMAIN = "idebot.local"


async def create(
    session: AsyncSession, fields: ForumFields, created_by: int | None, now: datetime
) -> Forum:
    """A draft, once the fields pass `check`."""
    fields = check(fields)
    forum = Forum(
        uid=fields.uid or f"forum-{uuid.uuid4().hex}@{UID_DOMAIN}",
        titles=fields.titles,
        descriptions=fields.descriptions,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        place=fields.place,
        link=fields.link,
        focus=fields.focus,
        capacity=fields.capacity,
        deadline=fields.deadline,
        status=repo.DRAFT,
        sequence=0,
        created_by=created_by,
        created_at=now,
    )
    return await repo.add_forum(session, forum)


def set_text(forum: Forum, language: str, title: str, description: str) -> None:
    """Add or replace the title and description in one language."""
    title, description = title.strip(), description.strip()
    if not title:
        raise ForumError(Problem.REQUIRED)
    if len(title) > MAX_TITLE:
        raise ForumError(Problem.TITLE_LONG)
    if len(description) > MAX_DESCRIPTION:
        raise ForumError(Problem.DESCRIPTION_LONG)
    forum.titles = {**forum.titles, language: title}
    forum.descriptions = {**forum.descriptions, language: description}
    forum.sequence += 1


async def publish(
    session: AsyncSession, forum: Forum, now: datetime, schedule: Schedule, staff: Staff
) -> Broadcast:
    """Announce the forum to every subscriber (in their language, when delivered) and
    plan its reminders."""
    if forum.status != repo.DRAFT:
        raise ForumError(Problem.NOT_DRAFT)
    if forum.starts_at <= now:
        raise ForumError(Problem.IN_THE_PAST)
    forum.status, forum.published_at = repo.PUBLISHED, now
    broadcast = await notify(
        session, forum, ForumNotice.ANNOUNCEMENT, repo.subscribers(), now=now, staff=staff
    )
    await plan(session, forum, now, schedule)
    await links.invitation(session, forum)  # for posters and other chats
    log.info("forum %s published to %d subscribers", forum.id, broadcast.total)
    return broadcast


async def reschedule(
    session: AsyncSession,
    forum: Forum,
    *,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    schedule: Schedule,
    staff: Staff,
) -> Broadcast | None:
    """Move the forum; a published one gets new reminders and a "moved" notice to everyone
    who was invited or answered (also those who could not come at the old time)."""
    if forum.status == repo.CANCELLED:
        raise ForumError(Problem.CANCELLED)
    if ends_at <= starts_at:
        raise ForumError(Problem.END_BEFORE_START)
    if starts_at <= now:
        raise ForumError(Problem.IN_THE_PAST)
    if (starts_at, ends_at) == (forum.starts_at, forum.ends_at):
        return None
    old_start = forum.starts_at
    forum.starts_at, forum.ends_at = starts_at, ends_at
    if forum.deadline is not None and forum.deadline > starts_at:
        forum.deadline = starts_at
    forum.sequence += 1
    if forum.status != repo.PUBLISHED:
        return None
    await repo.drop_pending_reminders(session, forum.id)
    await outbox.drop_pending(session, forum.id, [ForumNotice.REMINDER])
    await plan(session, forum, now, schedule)
    told = repo.told_about(forum.id, ForumNotice.ANNOUNCEMENT, declined=True)
    payload = {"old_start": old_start.isoformat()}
    return await notify(
        session, forum, ForumNotice.MOVED, told, now=now, staff=staff, payload=payload
    )


async def cancel(
    session: AsyncSession, forum: Forum, now: datetime, staff: Staff
) -> Broadcast | None:
    """Cancel: reminders and unsent notices are dropped, and everyone invited or coming is
    told (a draft is cancelled quietly)."""
    if forum.status == repo.CANCELLED:
        raise ForumError(Problem.CANCELLED)
    was_published = forum.status == repo.PUBLISHED
    forum.status = repo.CANCELLED
    forum.sequence += 1
    await repo.drop_pending_reminders(session, forum.id)
    if not was_published:
        return None
    await outbox.drop_pending(session, forum.id, UNSENT_WHEN_CANCELLED)
    told = repo.told_about(forum.id, ForumNotice.ANNOUNCEMENT, declined=False)
    return await notify(session, forum, ForumNotice.CANCELLED, told, now=now, staff=staff)
