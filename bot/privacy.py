"""Erasing a person's data: first give up any forum places (so the waitlist moves on and
the next person is told), then delete."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forums import rsvp
from storage import privacy


async def erase(session: AsyncSession, user_id: int, now: datetime) -> int:
    """Returns how many submitted applications were kept, with the contact anonymised."""
    for forum_id in await privacy.places_held(session, user_id):
        await rsvp.answer(session, forum_id, user_id, False, now)
    return await privacy.erase(session, user_id)
