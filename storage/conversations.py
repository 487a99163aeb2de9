"""Repository functions for conversations: where a person's next text goes. They never
commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation


async def current(session: AsyncSession, user_id: int) -> Conversation | None:
    return await session.get(Conversation, user_id)


async def begin(
    session: AsyncSession,
    user_id: int,
    flow: str,
    now: datetime,
    *,
    step: str | None = None,
    subject_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Conversation:
    """Put the person in `flow`, leaving whatever flow they were in."""
    await end(session, user_id)
    conversation = Conversation(
        user_id=user_id, flow=flow, step=step, subject_id=subject_id, data=data or {},
        updated_at=now,
    )  # fmt: skip
    session.add(conversation)
    await session.flush()
    return conversation


async def end(session: AsyncSession, user_id: int, flow: str | None = None) -> None:
    """The person's text is a question again (only if they are in `flow`, when given)."""
    query = delete(Conversation).where(Conversation.user_id == user_id)
    if flow is not None:
        query = query.where(Conversation.flow == flow)
    await session.execute(query)
