"""Repository functions for users. They never commit: the caller's transaction does."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User, utcnow

LAST_SEEN_GRANULARITY = timedelta(hours=1)  # coarse on purpose: fewer writes, less tracking


async def get_user(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.get(User, telegram_id)


async def seen(session: AsyncSession, telegram_id: int) -> User | None:
    """The person, if we keep anything about them; their `last_seen` is kept to the hour.
    Writing to the bot stores nothing by itself: see `ensure`."""
    user = await session.get(User, telegram_id)
    now = utcnow()
    if user is not None and now - user.last_seen >= LAST_SEEN_GRANULARITY:
        user.last_seen = now
    return user


async def ensure(session: AsyncSession, telegram_id: int, language: str | None) -> User:
    """The person's row, made when they first use something that needs it (a language of
    their own, invitations, a forum answer, an application), with `language` (or None)."""
    user = await session.get(User, telegram_id)
    if user is None:
        now = utcnow()
        user = User(telegram_id=telegram_id, language=language, first_seen=now, last_seen=now)
        session.add(user)
        await session.flush()
    return user


async def set_language(session: AsyncSession, telegram_id: int, language: str) -> None:
    user = await ensure(session, telegram_id, language)
    user.language = language
