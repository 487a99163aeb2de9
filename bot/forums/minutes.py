"""A forum's minutes (or a short summary), written by staff once it has started: Swedish
required, other languages optional, as a newsletter is. Sent once, through the outbox, to
those who came and to everyone who asked for summaries (`users.wants_summaries`), each once
and in their own language when it exists."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from bot import newsletters
from bot.forums.notices import Staff
from bot.forums.rules import AUTHORITATIVE
from bot.newsletters import NewsletterError
from storage import attendance, outbox
from storage import forums as repo
from storage.models import Broadcast, Forum, User

KIND = "minutes"  # the outbox kind
MAX_TEXT = newsletters.MAX_TEXT


class MinutesProblem(StrEnum):
    """Why minutes cannot be written or sent; each has its own text."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_STARTED = "not_started"
    NO_SWEDISH = "no_swedish"
    SENT = "sent"
    CANCELLED = "cancelled"


class MinutesError(ValueError):
    def __init__(self, problem: MinutesProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def can_write(forum: Forum, now: datetime) -> bool:
    return forum.status == repo.PUBLISHED and forum.starts_at <= now


def _check(forum: Forum, now: datetime) -> None:
    if forum.minutes_sent_at is not None:
        raise MinutesError(MinutesProblem.SENT)
    if forum.status != repo.PUBLISHED:
        raise MinutesError(MinutesProblem.CANCELLED)
    if forum.starts_at > now:
        raise MinutesError(MinutesProblem.NOT_STARTED)


def write(forum: Forum, language: str, text: str, now: datetime) -> None:
    """The minutes in `language` (the Swedish first; writing one again replaces it)."""
    _check(forum, now)
    written = dict(forum.minutes or {})
    if language != AUTHORITATIVE and AUTHORITATIVE not in written:
        raise MinutesError(MinutesProblem.NO_SWEDISH)
    try:
        written[language] = newsletters.checked(text)
    except NewsletterError as error:
        raise MinutesError(MinutesProblem(str(error.problem))) from error
    forum.minutes = written


def discard(forum: Forum) -> None:
    if forum.minutes_sent_at is not None:
        raise MinutesError(MinutesProblem.SENT)
    forum.minutes = None


def recipients(forum_id: int) -> Select[int]:
    """Those who came and those who asked for summaries, each once, not who blocked us."""
    came = attendance.came(forum_id).subquery()
    return select(User.telegram_id).where(
        User.blocked.is_(False),
        User.telegram_id.in_(select(came.c[0])) | User.wants_summaries.is_(True),
    )


async def count_recipients(session: AsyncSession, forum_id: int) -> int:
    query = select(func.count()).select_from(recipients(forum_id).subquery())
    return int(await session.scalar(query) or 0)


async def send(session: AsyncSession, forum: Forum, now: datetime, staff: Staff) -> Broadcast:
    """Queue the minutes for their readers, once."""
    _check(forum, now)
    if AUTHORITATIVE not in (forum.minutes or {}):
        raise MinutesError(MinutesProblem.NO_SWEDISH)
    forum.minutes_sent_at = now
    return await outbox.broadcast_to(
        session,
        recipients(forum.id),
        kind=KIND,
        now=now,
        staff_chat_id=staff.chat_id,
        staff_language=staff.language,
        forum_id=forum.id,
    )
