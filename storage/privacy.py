"""What is stored about a person, and erasing it. Never commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import applications, links
from storage.models import (
    Application,
    ApplicationNote,
    AuditEntry,
    Conversation,
    Link,
    Outbox,
    Question,
    Rsvp,
    User,
)

CALENDAR = "calendar"  # the kind of link to a person's own calendar feed (bot.links.LinkKind)


@dataclass(frozen=True)
class StoredData:
    user: User | None
    questions: int
    applications: list[Application]
    forum_answers: int
    calendar_feed: bool = False  # a working address of their own calendar feed


async def stored_data(session: AsyncSession, user_id: int) -> StoredData:
    asked = await session.scalar(select(func.count()).where(Question.user_id == user_id))
    answered = await session.scalar(select(func.count()).where(Rsvp.user_id == user_id))
    feed = await links.current(session, CALENDAR, user_id)
    return StoredData(
        await session.get(User, user_id),
        int(asked or 0),
        list(await applications.user_applications(session, user_id)),
        int(answered or 0),
        calendar_feed=feed is not None,
    )


async def places_held(session: AsyncSession, user_id: int) -> list[int]:
    """Forums where the person holds a place (to give it up before erasing)."""
    rows = await session.scalars(
        select(Rsvp.forum_id).where(Rsvp.user_id == user_id, Rsvp.status == "going")
    )
    return list(rows.all())


async def erase(session: AsyncSession, user_id: int) -> int:
    """Delete the person's data; returns how many submitted applications were kept with the
    contact person anonymised."""
    kept = await applications.forget_applicant(session, user_id)
    # What the municipality keeps of their application's history, without them in it:
    # their own audit entries lose who it was and any text, their answers to a reviewer
    # lose the text (the reviewer's question stays).
    await session.execute(
        update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor_id=None, detail=None)
    )
    await session.execute(
        update(ApplicationNote)
        .where(ApplicationNote.author_id == user_id)
        .values(author_id=None, text=applications.ANONYMISED)
    )
    await session.execute(delete(Question).where(Question.user_id == user_id))
    await session.execute(delete(Rsvp).where(Rsvp.user_id == user_id))
    await session.execute(delete(Conversation).where(Conversation.user_id == user_id))
    await session.execute(delete(Link).where(Link.kind == CALENDAR, Link.subject_id == user_id))
    # Delivery records go too, except a message being sent this very moment.
    await session.execute(
        delete(Outbox).where(Outbox.recipient == user_id, Outbox.status != "sending")
    )
    await session.execute(delete(User).where(User.telegram_id == user_id))
    return kept
