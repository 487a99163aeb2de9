"""Who came to a forum: the check-in link opened at the door, and the people staff count
there who have no Telegram. A check-in counts from an hour before the start to the end,
once per person, whether or not they said they would come."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forums.notices import ForumNotice
from storage import attendance
from storage import forums as repo
from storage.models import Forum

OPENS_BEFORE = timedelta(hours=1)  # check-in opens this long before the start


class Door(StrEnum):
    """What became of a check-in."""

    CHECKED_IN = "checked_in"
    ALREADY = "already"  # checked in before: counted once
    TOO_EARLY = "too_early"  # before the start minus an hour
    ENDED = "ended"  # after the end
    CANCELLED = "cancelled"
    MISSING = "missing"  # no such forum, or a draft


def window(forum: Forum) -> tuple[datetime, datetime]:
    """When check-in counts: [start - 1 h, end], both ends included."""
    return forum.starts_at - OPENS_BEFORE, forum.ends_at


def door_state(forum: Forum, now: datetime) -> Door | None:
    """Why a check-in at `now` cannot count, or None when it can."""
    if forum.status == repo.DRAFT:
        return Door.MISSING
    if forum.status == repo.CANCELLED:
        return Door.CANCELLED
    opens, closes = window(forum)
    if now < opens:
        return Door.TOO_EARLY
    if now > closes:
        return Door.ENDED
    return None


async def check_in(session: AsyncSession, forum: Forum, user_id: int) -> Door:
    """Record that the person came, once; the caller has checked `door_state`."""
    new = await attendance.check_in(session, forum.id, user_id)
    return Door.CHECKED_IN if new else Door.ALREADY


async def count_at_door(session: AsyncSession, forum_id: int, change: int) -> Forum | None:
    """Add `change` (+1 or -1) to the people counted at the door, never below 0; None when
    the forum is missing, a draft or cancelled."""
    forum = await repo.get_forum(session, forum_id, lock=True)  # two presses at once both count
    if forum is None or forum.status != repo.PUBLISHED:
        return None
    forum.walk_ins = max(0, forum.walk_ins + change)
    await session.flush()
    return forum


@dataclass(frozen=True)
class Figures:
    """The staff card's numbers beside the answers."""

    invited: int  # the announcement reached them
    checked_in: int  # check-ins plus those counted at the door
    at_door: int  # of them, counted at the door


async def figures(session: AsyncSession, forum: Forum) -> Figures:
    return Figures(
        invited=await attendance.invited(session, forum.id, ForumNotice.ANNOUNCEMENT),
        checked_in=await attendance.checked_in(session, forum.id),
        at_door=forum.walk_ins,
    )
