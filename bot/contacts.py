"""An organisation's contact person on Telegram, connected through the organisation's link.

Staff send the link (or its QR code) by e-mail to an organisation that signed on paper;
whoever opens it and says yes becomes the organisation's contact (who gets the yearly
follow-up). One contact per organisation: a new connection replaces the old one. The link
works once: it is revoked when used, so a forwarded e-mail cannot connect someone else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.applications import check_org_number
from bot.links import LinkKind
from storage import applications as store
from storage import links
from storage.models import Link, Member

CONNECTED = "contact_connected"  # the audit action


async def find_member(session: AsyncSession, key: str) -> Member | None:
    """A member of the register by organisationsnummer (any usual spelling) or by its id."""
    key = key.strip()
    number = check_org_number(key)
    if number.ok and number.value:
        return await store.member_with_number(session, number.value)
    if key.isascii() and key.isdigit() and len(key) <= 9:
        return await session.get(Member, int(key))
    return None


async def member_link(
    session: AsyncSession, member: Member, *, renew: bool, now: datetime
) -> Link:
    """The organisation's working link, made now if it has none (or, with `renew`, after
    revoking the one it had)."""
    if renew:
        await links.revoke(session, LinkKind.MEMBER, member.id, now)
    return await links.ensure(session, LinkKind.MEMBER, member.id)


async def offered(session: AsyncSession, link: Link) -> Member | None:
    """The organisation a working member link connects to (None: used, revoked, or the
    organisation has left the register)."""
    if link.kind != LinkKind.MEMBER or link.revoked_at is not None:
        return None
    member = await session.get(Member, link.subject_id)
    return member if member is not None and member.left_on is None else None


@dataclass(frozen=True)
class Connection:
    member: Member
    replaced: bool  # someone else was the contact before


async def connect(
    session: AsyncSession, link_id: int, user_id: int, now: datetime
) -> Connection | None:
    """Make the person the organisation's contact and use the link up; None when the link
    no longer works (used by someone else meanwhile, or revoked)."""
    link = await session.scalar(select(Link).where(Link.id == link_id).with_for_update())
    member = await offered(session, link) if link is not None else None
    if link is None or member is None:
        return None
    replaced = member.contact_id is not None and member.contact_id != user_id
    member.contact_id = user_id
    link.revoked_at = now
    detail = "replaced the previous contact" if replaced else None
    await store.audit(session, user_id, CONNECTED, f"member:{member.id}", detail, at=now)
    return Connection(member, replaced)
