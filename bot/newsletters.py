"""Newsletters: composed once by staff (Swedish required, other languages optional), sent
to every subscriber through the outbox, each in their own language when it exists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forums import AUTHORITATIVE, Staff
from storage import forums as repo
from storage import outbox
from storage.models import Broadcast, Newsletter

MAX_TEXT = 3500  # characters: room for the heading within Telegram's 4096
KIND = "newsletter"


class NewsletterError(ValueError):
    """`code`: "too_long", "empty", "no_swedish" or "sent"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def checked(text: str) -> str:
    text = text.strip()
    if not text:
        raise NewsletterError("empty")
    if len(text) > MAX_TEXT:
        raise NewsletterError("too_long")
    return text


async def start(session: AsyncSession, swedish: str, created_by: int) -> Newsletter:
    return await repo.add_newsletter(session, {AUTHORITATIVE: checked(swedish)}, created_by)


def add_language(newsletter: Newsletter, language: str, text: str) -> None:
    if newsletter.sent_at is not None:
        raise NewsletterError("sent")
    newsletter.texts = {**newsletter.texts, language: checked(text)}


async def send(
    session: AsyncSession, newsletter: Newsletter, now: datetime, staff: Staff
) -> Broadcast:
    """Queue it for every subscriber, once."""
    if newsletter.sent_at is not None:
        raise NewsletterError("sent")
    if AUTHORITATIVE not in newsletter.texts:
        raise NewsletterError("no_swedish")
    newsletter.sent_at = now
    return await outbox.broadcast_to(
        session,
        repo.subscribers(),
        kind=KIND,
        now=now,
        staff_chat_id=staff.chat_id,
        staff_language=staff.language,
        newsletter_id=newsletter.id,
    )
