"""Repository functions for links: unguessable tokens that open a forum, its check-in, an
organisation's contact connection or a calendar feed from outside the chat. They never
commit: the caller's transaction does."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Link

TOKEN_BYTES = 12  # 16 URL-safe characters: 96 random bits, and room in a /start parameter


async def current(session: AsyncSession, kind: str, subject_id: int) -> Link | None:
    """The subject's link that still works, if any."""
    return await session.scalar(
        select(Link)
        .where(Link.kind == kind, Link.subject_id == subject_id, Link.revoked_at.is_(None))
        .order_by(Link.id.desc())
        .limit(1)
    )


async def current_tokens(
    session: AsyncSession, kind: str, subject_ids: Iterable[int]
) -> dict[int, str]:
    """The working token of each subject that has one (one query for a whole list)."""
    wanted = set(subject_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Link.subject_id, Link.token)
        .where(Link.kind == kind, Link.subject_id.in_(wanted), Link.revoked_at.is_(None))
        .order_by(Link.id)
    )
    return {subject: token for subject, token in rows.all()}  # noqa: C416  (newest wins)


async def ensure(session: AsyncSession, kind: str, subject_id: int) -> Link:
    """The subject's working link, made now if it has none."""
    link = await current(session, kind, subject_id)
    if link is None:
        link = Link(token=secrets.token_urlsafe(TOKEN_BYTES), kind=kind, subject_id=subject_id)
        session.add(link)
        await session.flush()
    return link


async def find(session: AsyncSession, token: str) -> Link | None:
    """The link with this token, revoked or not (a revoked one can say so)."""
    if not token or len(token) > 32:
        return None
    return await session.scalar(select(Link).where(Link.token == token))


async def revoke(session: AsyncSession, kind: str, subject_id: int, now: datetime) -> int:
    """Stop the subject's links from working; the next `ensure` makes a new one."""
    result = await session.execute(
        update(Link)
        .where(Link.kind == kind, Link.subject_id == subject_id, Link.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]
