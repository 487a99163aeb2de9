"""Repository functions for questions. They never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MAX_QUESTION, Question, utcnow


async def add_question(
    session: AsyncSession,
    *,
    user_id: int,
    pack: str,
    language: str,
    text: str,
    entry_id: str | None,
    confident: bool,
) -> Question:
    question = Question(
        user_id=user_id,
        pack=pack,
        language=language,
        text=text[:MAX_QUESTION],
        entry_id=entry_id,
        confident=confident,
    )
    session.add(question)
    await session.flush()
    return question


async def get_question(session: AsyncSession, question_id: int) -> Question | None:
    return await session.get(Question, question_id)


async def set_helpful(
    session: AsyncSession, question_id: int, user_id: int, helpful: bool
) -> bool:
    """Record 👍/👎; only the asker's press counts."""
    result = await session.execute(
        update(Question)
        .where(Question.id == question_id, Question.user_id == user_id)
        .values(helpful=helpful)
        .returning(Question.id)
    )
    return result.first() is not None


async def mark_forwarded(
    session: AsyncSession, question_id: int, chat_id: int, message_id: int
) -> None:
    await session.execute(
        update(Question)
        .where(Question.id == question_id)
        .values(forwarded_chat_id=chat_id, forwarded_message_id=message_id)
    )


async def find_forwarded(session: AsyncSession, chat_id: int, message_id: int) -> Question | None:
    """The question that the staff chat's message `message_id` carried."""
    return await session.scalar(
        select(Question).where(
            Question.forwarded_chat_id == chat_id, Question.forwarded_message_id == message_id
        )
    )


async def mark_answered(session: AsyncSession, question: Question) -> None:
    question.answered_at = utcnow()


async def gaps(session: AsyncSession, since: datetime, pack: str) -> Sequence[Question]:
    """Questions the bot could not answer confidently, or whose answer got 👎, newest first."""
    rows = await session.scalars(
        select(Question)
        .where(
            Question.created_at >= since,
            Question.pack == pack,
            or_(Question.confident.is_(False), Question.helpful.is_(False)),
        )
        .order_by(Question.language, Question.created_at.desc())
    )
    return rows.all()


async def feedback_counts(
    session: AsyncSession, pack: str
) -> dict[tuple[str, str], tuple[int, int]]:
    """(entry, language) → (👍, 👎) counts."""
    rows = await session.execute(
        select(
            Question.entry_id,
            Question.language,
            func.count().filter(Question.helpful.is_(True)),
            func.count().filter(Question.helpful.is_(False)),
        )
        .where(Question.pack == pack, Question.entry_id.is_not(None))
        .group_by(Question.entry_id, Question.language)
    )
    return {(entry or "", language): (up, down) for entry, language, up, down in rows.all()}
