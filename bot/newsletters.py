"""Newsletters: composed once by staff (Swedish required, other languages optional), sent
to every subscriber through the outbox, each in their own language when it exists."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forums.notices import Staff
from bot.forums.rules import AUTHORITATIVE
from bot.text import clean_paragraphs
from storage import forums as repo
from storage import outbox
from storage.models import Broadcast, Newsletter

MAX_TEXT = 3500  # characters: room for the heading within Telegram's 4096
KIND = "newsletter"  # the outbox kind


class NewsletterProblem(StrEnum):
    """Why a newsletter cannot be taken or sent; each has its own text
    (`handlers.newsletter.PROBLEMS`; a test checks every one)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    SENT = "sent"  # already sent: it cannot change or go out again
    NO_SWEDISH = "no_swedish"
    GONE = "gone"  # discarded while another language was being written


class NewsletterError(ValueError):
    def __init__(self, problem: NewsletterProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def checked(text: str) -> str:
    """The text, cleaned; raises `NewsletterError` if it is empty or too long."""
    text = clean_paragraphs(text)
    if not text:
        raise NewsletterError(NewsletterProblem.EMPTY)
    if len(text) > MAX_TEXT:
        raise NewsletterError(NewsletterProblem.TOO_LONG)
    return text


async def start(session: AsyncSession, swedish: str, created_by: int) -> Newsletter:
    """A new newsletter with its Swedish text."""
    return await repo.add_newsletter(session, {AUTHORITATIVE: checked(swedish)}, created_by)


async def write(
    session: AsyncSession, newsletter_id: int | None, language: str, text: str, author: int
) -> Newsletter:
    """The text in `language` of the newsletter being written (None: a new one, whose
    first text is the Swedish)."""
    if newsletter_id is None:
        return await start(session, text, author)
    found = await repo.get_newsletter(session, newsletter_id)
    if found is None:
        raise NewsletterError(NewsletterProblem.GONE)
    add_language(found, language, text)
    return found


def add_language(newsletter: Newsletter, language: str, text: str) -> None:
    if newsletter.sent_at is not None:
        raise NewsletterError(NewsletterProblem.SENT)
    newsletter.texts = {**newsletter.texts, language: checked(text)}


async def send(
    session: AsyncSession, newsletter: Newsletter, now: datetime, staff: Staff
) -> Broadcast:
    """Queue it for every subscriber, once."""
    if newsletter.sent_at is not None:
        raise NewsletterError(NewsletterProblem.SENT)
    if AUTHORITATIVE not in newsletter.texts:
        raise NewsletterError(NewsletterProblem.NO_SWEDISH)
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
