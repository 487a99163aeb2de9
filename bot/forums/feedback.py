"""Feedback after a forum: the day after it ends, everyone who came (`attendance.came`) is
asked once for a rating 1–5 and an optional comment. The row is made when they are asked,
so only those asked can answer; a new rating or comment replaces the earlier one while
feedback is open."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.text import clean_paragraphs
from storage import attendance, outbox
from storage.models import Feedback, Forum, User

log = logging.getLogger(__name__)

KIND = "feedback"  # the outbox kind of the question, and the audience of its reminder
ASK_AT = time(10, 0)  # local time, the day after the forum ends
LATEST = timedelta(days=3)  # after downtime, asked up to this long after it was due
OPEN_FOR = timedelta(days=30)  # after being asked, a rating or comment can still change
RATINGS = range(1, 6)
MAX_COMMENT = 1000


class FeedbackProblem(StrEnum):
    """Why a rating or comment cannot be taken; each has its own text."""

    NOT_ASKED = "not_asked"  # did not come, or another forum's button
    RATING = "rating"  # not 1–5
    CLOSED = "closed"  # asked more than `OPEN_FOR` ago
    EMPTY = "empty"
    TOO_LONG = "too_long"


class FeedbackError(ValueError):
    def __init__(self, problem: FeedbackProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def due(forum: Forum, zone: ZoneInfo) -> datetime:
    """10:00 local time the day after the forum ends."""
    day = forum.ends_at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, ASK_AT, tzinfo=zone)


def too_late(due_at: datetime, now: datetime) -> bool:
    return now > due_at + LATEST


async def ask(session: AsyncSession, forum: Forum, now: datetime) -> int:
    """A feedback row and a question for each person who came and was not asked yet (and
    has not blocked the bot). Returns how many were asked."""
    came = attendance.came(forum.id).subquery()
    asked = select(Feedback.user_id).where(
        Feedback.forum_id == forum.id, Feedback.user_id.is_not(None)
    )
    new = list(
        await session.scalars(
            select(User.telegram_id)
            .where(
                User.telegram_id.in_(select(came.c[0])),
                User.telegram_id.not_in(asked),
                User.blocked.is_(False),
            )
            .order_by(User.telegram_id)
        )
    )
    for user_id in new:
        session.add(Feedback(forum_id=forum.id, user_id=user_id, asked_at=now))
        await outbox.enqueue_one(session, user_id, kind=KIND, due_at=now, forum_id=forum.id)
    await session.flush()
    log.info("forum %s: feedback asked of %d people", forum.id, len(new))
    return len(new)


async def _asked(session: AsyncSession, forum_id: int, user_id: int, now: datetime) -> Feedback:
    found = await session.scalar(
        select(Feedback).where(Feedback.forum_id == forum_id, Feedback.user_id == user_id)
    )
    if found is None:
        raise FeedbackError(FeedbackProblem.NOT_ASKED)
    if now > found.asked_at + OPEN_FOR:
        raise FeedbackError(FeedbackProblem.CLOSED)
    return found


async def rate(
    session: AsyncSession, forum_id: int, user_id: int, rating: int, now: datetime
) -> Feedback:
    if rating not in RATINGS:
        raise FeedbackError(FeedbackProblem.RATING)
    found = await _asked(session, forum_id, user_id, now)
    found.rating, found.answered_at = rating, now
    return found


async def comment(
    session: AsyncSession, forum_id: int, user_id: int, text: str, now: datetime
) -> Feedback:
    value = clean_paragraphs(text)
    if not value:
        raise FeedbackError(FeedbackProblem.EMPTY)
    if len(value) > MAX_COMMENT:
        raise FeedbackError(FeedbackProblem.TOO_LONG)
    found = await _asked(session, forum_id, user_id, now)
    found.comment, found.answered_at = value, now
    return found
