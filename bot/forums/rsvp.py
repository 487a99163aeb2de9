"""Answers to a forum: "I'll come" and "Can't come", with capacity and a waitlist. The
forum's row is locked while places are counted, so two answers at once cannot both take
the last place; a place given up goes to the first on the waitlist, who is told."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forums.notices import ForumNotice
from storage import forums as repo
from storage import outbox
from storage.models import Forum, Rsvp

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What became of an answer."""

    GOING = repo.GOING
    WAITLIST = repo.WAITLIST
    NOT_GOING = repo.NOT_GOING
    CLOSED = "closed"  # the answer deadline has passed
    CANCELLED = "cancelled"
    PAST = "past"  # the forum has started
    MISSING = "missing"  # no such forum, or a draft: a forged or stale button


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    position: int = 0  # on the waitlist
    promoted: int | None = None  # the user id moved up from the waitlist
    again: bool = False  # said the same before: nothing changed


async def answer(
    session: AsyncSession, forum_id: int, user_id: int, going: bool, now: datetime
) -> tuple[Forum | None, Answer]:
    """Record "I'll come" (`going`) or "Can't come"; the forum is None when it is missing."""
    forum = await repo.get_forum(session, forum_id, lock=True)
    if forum is None or forum.status == repo.DRAFT:
        return None, Answer(Outcome.MISSING)
    if forum.status == repo.CANCELLED:
        return forum, Answer(Outcome.CANCELLED)
    if forum.starts_at <= now:
        return forum, Answer(Outcome.PAST)
    if going:
        return forum, await _come(session, forum, user_id, now)
    return forum, await _decline(session, forum, user_id, now)


async def _come(session: AsyncSession, forum: Forum, user_id: int, now: datetime) -> Answer:
    current = await repo.get_rsvp(session, forum.id, user_id)
    if current is not None and current.status in {repo.GOING, repo.WAITLIST}:
        return await _as_answer(session, current, again=True)  # said before: nothing changes
    if forum.deadline is not None and now > forum.deadline:
        return Answer(Outcome.CLOSED)
    full = await _full(session, forum)
    rsvp = await repo.set_rsvp(
        session, forum.id, user_id, repo.WAITLIST if full else repo.GOING, now
    )
    return await _as_answer(session, rsvp)


async def _decline(session: AsyncSession, forum: Forum, user_id: int, now: datetime) -> Answer:
    current = await repo.get_rsvp(session, forum.id, user_id)
    was_going = current is not None and current.status == repo.GOING
    await repo.set_rsvp(session, forum.id, user_id, repo.NOT_GOING, now)
    promoted = await _promote(session, forum, now) if was_going else None
    return Answer(Outcome.NOT_GOING, promoted=promoted)


async def _full(session: AsyncSession, forum: Forum) -> bool:
    return (
        forum.capacity is not None
        and await repo.count_status(session, forum.id, repo.GOING) >= forum.capacity
    )


async def _as_answer(session: AsyncSession, rsvp: Rsvp, *, again: bool = False) -> Answer:
    if rsvp.status == repo.WAITLIST:
        position = await repo.waitlist_position(session, rsvp)
        return Answer(Outcome.WAITLIST, position=position, again=again)
    return Answer(Outcome(rsvp.status), again=again)


async def _promote(session: AsyncSession, forum: Forum, now: datetime) -> int | None:
    """The first on the waitlist gets a free place and is told; their user id."""
    if forum.capacity is None or await _full(session, forum):
        return None
    first = await repo.first_waiting(session, forum.id)
    if first is None:
        return None
    first.status = repo.GOING
    await outbox.enqueue_one(
        session, first.user_id, kind=ForumNotice.PROMOTED, due_at=now, forum_id=forum.id
    )
    log.info("forum %s: user %s moved up from the waitlist", forum.id, first.user_id)
    return first.user_id


async def fill_places(session: AsyncSession, forum: Forum, now: datetime) -> list[int]:
    """Move people up from the waitlist while there are places (after the capacity was
    raised); each is told. Returns who moved up."""
    await repo.get_forum(session, forum.id, lock=True)  # as answers do, while counting
    promoted = []
    while (user_id := await _promote(session, forum, now)) is not None:
        promoted.append(user_id)
    return promoted
