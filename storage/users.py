"""Repository functions for users. They never commit: the caller's transaction does."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User, utcnow

LAST_SEEN_GRANULARITY = timedelta(hours=1)  # coarse on purpose: fewer writes, less tracking


async def get_user(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.get(User, telegram_id)


async def seen_user(session: AsyncSession, telegram_id: int, language: str | None) -> User:
    """Return the user, creating them at first contact with `language` (which may be None)."""
    user = await session.get(User, telegram_id)
    now = utcnow()
    if user is None:
        user = User(telegram_id=telegram_id, language=language, first_seen=now, last_seen=now)
        session.add(user)
        await session.flush()
    elif now - user.last_seen >= LAST_SEEN_GRANULARITY:
        user.last_seen = now
    return user


async def set_language(session: AsyncSession, telegram_id: int, language: str) -> None:
    user = await seen_user(session, telegram_id, language)
    user.language = language
