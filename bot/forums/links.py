"""A forum's links: the invitation (its card with the answer buttons, for anyone, for
posters and other chats) and the check-in shown at the door. Each is made when first
needed: the invitation when the forum is published (or when staff first ask, for forums
published before there were links), the check-in when staff first ask for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.links import LinkKind
from storage import forums as repo
from storage import links
from storage.models import Forum, Link


async def invitation(session: AsyncSession, forum: Forum) -> Link | None:
    """The forum's working invitation link; None for a draft (nothing to invite to yet)."""
    if forum.status == repo.DRAFT:
        return None
    return await links.ensure(session, LinkKind.FORUM, forum.id)


async def renew_invitation(session: AsyncSession, forum: Forum, now: datetime) -> Link | None:
    """Revoke the invitation link (the old one and its QR code then say they no longer
    work) and make a new one."""
    await links.revoke(session, LinkKind.FORUM, forum.id, now)
    return await invitation(session, forum)


async def checkin(session: AsyncSession, forum: Forum) -> Link | None:
    """The forum's check-in link; None for a draft."""
    if forum.status == repo.DRAFT:
        return None
    return await links.ensure(session, LinkKind.CHECKIN, forum.id)


async def forum_of(session: AsyncSession, link: Link) -> Forum | None:
    """The forum a working invitation or check-in link opens (None: revoked, or a draft)."""
    if link.revoked_at is not None or link.kind not in {LinkKind.FORUM, LinkKind.CHECKIN}:
        return None
    forum = await repo.get_forum(session, link.subject_id)
    return None if forum is None or forum.status == repo.DRAFT else forum
