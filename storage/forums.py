"""Repository functions for forums, answers (RSVPs), reminders, newsletters and the staff's
guided flows. They never commit: the caller's transaction does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from storage.models import Forum, Newsletter, Outbox, Reminder, Rsvp, User

GOING, WAITLIST, NOT_GOING = "going", "waitlist", "not_going"
DRAFT, PUBLISHED, CANCELLED = "draft", "published", "cancelled"


# -- forums ---------------------------------------------------------------------------------------


async def get_forum(session: AsyncSession, forum_id: int, *, lock: bool = False) -> Forum | None:
    """The forum; `lock` holds its row until the transaction ends (answers, capacity)."""
    query = select(Forum).where(Forum.id == forum_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def forum_by_uid(session: AsyncSession, uid: str) -> Forum | None:
    return await session.scalar(select(Forum).where(Forum.uid == uid))


async def add_forum(session: AsyncSession, forum: Forum) -> Forum:
    session.add(forum)
    await session.flush()
    return forum


async def upcoming(
    session: AsyncSession, now: datetime, *, drafts: bool = False, limit: int = 10
) -> Sequence[Forum]:
    """Forums that have not ended, soonest first; drafts too for staff."""
    statuses = [PUBLISHED, DRAFT] if drafts else [PUBLISHED]
    rows = await session.scalars(
        select(Forum)
        .where(Forum.ends_at > now, Forum.status.in_(statuses))
        .order_by(Forum.starts_at, Forum.id)
        .limit(limit)
    )
    return rows.all()


async def in_calendar(session: AsyncSession, since: datetime) -> Sequence[Forum]:
    """Forums that were published (cancelled ones too) and end after `since`: the public
    calendar feed and the open data, soonest first."""
    rows = await session.scalars(
        select(Forum)
        .where(
            Forum.status.in_((PUBLISHED, CANCELLED)),
            Forum.published_at.is_not(None),
            Forum.ends_at > since,
        )
        .order_by(Forum.starts_at, Forum.id)
    )
    return rows.all()


async def attending(
    session: AsyncSession, user_id: int, since: datetime
) -> Sequence[tuple[Forum, Rsvp]]:
    """The published (or since cancelled) forums ending after `since` that the person said
    they will come to, or waits for a place at: their own calendar feed."""
    rows = await session.execute(
        select(Forum, Rsvp)
        .join(Rsvp, Rsvp.forum_id == Forum.id)
        .where(
            Rsvp.user_id == user_id,
            Rsvp.status.in_((GOING, WAITLIST)),
            Forum.status.in_((PUBLISHED, CANCELLED)),
            Forum.published_at.is_not(None),
            Forum.ends_at > since,
        )
        .order_by(Forum.starts_at, Forum.id)
    )
    return [(forum, rsvp) for forum, rsvp in rows.all()]


async def last_answer(session: AsyncSession, user_id: int) -> datetime | None:
    """When the person last answered any forum (also "can't come", which takes one out of
    their feed)."""
    return await session.scalar(select(func.max(Rsvp.answered_at)).where(Rsvp.user_id == user_id))


async def forums_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Forum]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.scalars(select(Forum).where(Forum.id.in_(wanted)))
    return {forum.id: forum for forum in rows}


# -- answers --------------------------------------------------------------------------------------


async def get_rsvp(session: AsyncSession, forum_id: int, user_id: int) -> Rsvp | None:
    return await session.scalar(
        select(Rsvp).where(Rsvp.forum_id == forum_id, Rsvp.user_id == user_id)
    )


async def set_rsvp(
    session: AsyncSession, forum_id: int, user_id: int, status: str, now: datetime
) -> Rsvp:
    rsvp = await get_rsvp(session, forum_id, user_id)
    if rsvp is None:
        rsvp = Rsvp(forum_id=forum_id, user_id=user_id, status=status, answered_at=now)
        session.add(rsvp)
    else:
        rsvp.status, rsvp.answered_at = status, now
    await session.flush()
    return rsvp


async def count_status(session: AsyncSession, forum_id: int, status: str) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(Rsvp.forum_id == forum_id, Rsvp.status == status)
        )
        or 0
    )


async def tally(session: AsyncSession, forum_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Rsvp.status, func.count()).where(Rsvp.forum_id == forum_id).group_by(Rsvp.status)
    )
    counts = {GOING: 0, WAITLIST: 0, NOT_GOING: 0}
    counts.update({status: number for status, number in rows.all()})  # noqa: C416
    return counts


async def first_waiting(session: AsyncSession, forum_id: int) -> Rsvp | None:
    return await session.scalar(
        select(Rsvp)
        .where(Rsvp.forum_id == forum_id, Rsvp.status == WAITLIST)
        .order_by(Rsvp.answered_at, Rsvp.id)
        .limit(1)
    )


async def waitlist_position(session: AsyncSession, rsvp: Rsvp) -> int:
    """1 for the first in line."""
    ahead = await session.scalar(
        select(func.count()).where(
            Rsvp.forum_id == rsvp.forum_id,
            Rsvp.status == WAITLIST,
            (Rsvp.answered_at < rsvp.answered_at)
            | ((Rsvp.answered_at == rsvp.answered_at) & (Rsvp.id < rsvp.id)),
        )
    )
    return int(ahead or 0) + 1


async def answers_of(
    session: AsyncSession, user_id: int, forum_ids: Iterable[int]
) -> dict[int, Rsvp]:
    wanted = set(forum_ids)
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Rsvp).where(Rsvp.user_id == user_id, Rsvp.forum_id.in_(wanted))
    )
    return {rsvp.forum_id: rsvp for rsvp in rows}


async def attendees(session: AsyncSession, forum_id: int) -> Sequence[tuple[Rsvp, User | None]]:
    """Everyone who answered, those coming first, then the waitlist in order."""
    rows = await session.execute(
        select(Rsvp, User)
        .join(User, User.telegram_id == Rsvp.user_id, isouter=True)
        .where(Rsvp.forum_id == forum_id)
        .order_by(Rsvp.status, Rsvp.answered_at, Rsvp.id)
    )
    return [(rsvp, user) for rsvp, user in rows.all()]


# -- audiences (selects of user ids, for the outbox) ----------------------------------------------


def subscribers() -> Select[int]:
    return select(User.telegram_id).where(User.subscribed.is_(True), User.blocked.is_(False))


def attendees_of(forum_id: int) -> Select[int]:
    return select(Rsvp.user_id).where(Rsvp.forum_id == forum_id, Rsvp.status == GOING)


def subscribers_except_declined(forum_id: int) -> Select[int]:
    declined = select(Rsvp.user_id).where(Rsvp.forum_id == forum_id, Rsvp.status == NOT_GOING)
    return subscribers().where(User.telegram_id.not_in(declined))


def told_about(forum_id: int, invitation: str, *, declined: bool) -> Select[int]:
    """Who was invited to (an outbox row of kind `invitation`) or answered the forum (those
    who said no only if `declined`), not counting people who have blocked the bot."""
    invited = select(Outbox.recipient).where(
        Outbox.forum_id == forum_id,
        Outbox.kind == invitation,
        Outbox.status.in_(("pending", "sending", "sent")),
    )
    statuses = (GOING, WAITLIST, NOT_GOING) if declined else (GOING, WAITLIST)
    answered = select(Rsvp.user_id).where(Rsvp.forum_id == forum_id, Rsvp.status.in_(statuses))
    query = select(User.telegram_id).where(
        User.blocked.is_(False), User.telegram_id.in_(union(invited, answered).subquery().select())
    )
    if not declined:
        said_no = select(Rsvp.user_id).where(Rsvp.forum_id == forum_id, Rsvp.status == NOT_GOING)
        query = query.where(User.telegram_id.not_in(said_no))
    return query


# -- reminders ------------------------------------------------------------------------------------


async def add_reminders(
    session: AsyncSession, forum_id: int, due: Iterable[datetime], audience: str
) -> None:
    for due_at in due:
        session.add(Reminder(forum_id=forum_id, due_at=due_at, audience=audience))
    await session.flush()


async def drop_pending_reminders(session: AsyncSession, forum_id: int) -> None:
    await session.execute(
        update(Reminder)
        .where(Reminder.forum_id == forum_id, Reminder.status == "pending")
        .values(status="dropped")
    )


async def due_reminders(session: AsyncSession, now: datetime) -> Sequence[Reminder]:
    """Pending reminders whose time has come, locked for this worker."""
    rows = await session.scalars(
        select(Reminder)
        .where(Reminder.status == "pending", Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .with_for_update(skip_locked=True)
    )
    return rows.all()


# -- newsletters ----------------------------------------------------------------------------------


async def add_newsletter(
    session: AsyncSession, texts: dict[str, str], created_by: int
) -> Newsletter:
    newsletter = Newsletter(texts=texts, created_by=created_by)
    session.add(newsletter)
    await session.flush()
    return newsletter


async def get_newsletter(session: AsyncSession, newsletter_id: int) -> Newsletter | None:
    return await session.get(Newsletter, newsletter_id)


async def newsletters_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Newsletter]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.scalars(select(Newsletter).where(Newsletter.id.in_(wanted)))
    return {newsletter.id: newsletter for newsletter in rows}


async def count_subscribers(session: AsyncSession) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(subscribers().subquery())) or 0
    )
