"""What is stored about a person, and erasing it. Never commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import applications
from storage.models import Application, Question, User


@dataclass(frozen=True)
class StoredData:
    user: User | None
    questions: int
    applications: list[Application]


async def stored_data(session: AsyncSession, user_id: int) -> StoredData:
    count = await session.scalar(select(func.count()).where(Question.user_id == user_id))
    return StoredData(
        await session.get(User, user_id),
        int(count or 0),
        list(await applications.user_applications(session, user_id)),
    )


async def erase(session: AsyncSession, user_id: int) -> int:
    """Delete the person's data; returns how many submitted applications were kept with the
    contact person anonymised."""
    kept = await applications.forget_applicant(session, user_id)
    await session.execute(delete(Question).where(Question.user_id == user_id))
    await session.execute(delete(User).where(User.telegram_id == user_id))
    return kept
