"""What is stored about a person, and erasing it. Never commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import applications, attendance, followups, links
from storage.models import (
    Application,
    ApplicationNote,
    AuditEntry,
    CheckIn,
    Conversation,
    Feedback,
    FollowUp,
    FollowUpAnswer,
    Forum,
    Link,
    Member,
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
    contact_of: list[str] = field(default_factory=list)  # organisations they are contact of
    checked_in: list[Forum] = field(default_factory=list)  # forums they checked in to
    needs: list[Rsvp] = field(default_factory=list)  # answers with access needs given
    feedback: list[Feedback] = field(default_factory=list)
    followups: list[tuple[FollowUpAnswer, FollowUp, Member]] = field(default_factory=list)
    calendar_feed: bool = False  # a working address of their own calendar feed


async def stored_data(session: AsyncSession, user_id: int) -> StoredData:
    asked = await session.scalar(select(func.count()).where(Question.user_id == user_id))
    answered = await session.scalar(select(func.count()).where(Rsvp.user_id == user_id))
    needs = await session.scalars(
        select(Rsvp)
        .where(Rsvp.user_id == user_id, (Rsvp.interpretation != "") | Rsvp.needs.is_not(None))
        .order_by(Rsvp.id)
    )
    feedback = await session.scalars(
        select(Feedback).where(Feedback.user_id == user_id).order_by(Feedback.id)
    )
    feed = await links.current(session, CALENDAR, user_id)
    return StoredData(
        await session.get(User, user_id),
        int(asked or 0),
        list(await applications.user_applications(session, user_id)),
        int(answered or 0),
        contact_of=list(
            await session.scalars(
                select(Member.name).where(Member.contact_id == user_id).order_by(Member.name)
            )
        ),
        checked_in=await attendance.forums_checked_in(session, user_id),
        needs=list(needs),
        feedback=list(feedback),
        followups=list(await followups.answers_of_user(session, user_id)),
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
    # The organisation and the count of who came stay, without them in it.
    await session.execute(
        update(Member).where(Member.contact_id == user_id).values(contact_id=None)
    )
    await session.execute(update(CheckIn).where(CheckIn.user_id == user_id).values(user_id=None))
    await followups.forget_user(session, user_id)  # the scores stay, in the counts
    await session.execute(delete(Question).where(Question.user_id == user_id))
    await session.execute(delete(Rsvp).where(Rsvp.user_id == user_id))  # and the needs on them
    # Feedback stays in the forum's figures: the rating, without them and their words.
    await session.execute(
        update(Feedback).where(Feedback.user_id == user_id).values(user_id=None, comment=None)
    )
    await session.execute(delete(Conversation).where(Conversation.user_id == user_id))
    await session.execute(delete(Link).where(Link.kind == CALENDAR, Link.subject_id == user_id))
    # Delivery records go too, except a message being sent this very moment.
    await session.execute(
        delete(Outbox).where(Outbox.recipient == user_id, Outbox.status != "sending")
    )
    await session.execute(delete(User).where(User.telegram_id == user_id))
    return kept
