"""Repository functions for the yearly follow-up: rounds, each organisation's answers, the
organisations that said they are no longer active, and the year's figures for the report.
They never commit: the caller's transaction does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FollowUp, FollowUpAnswer, Forum, Member, Outbox, Question, User

REMINDER_AFTER = timedelta(days=7)  # the first reminder; the second after twice this
MAX_REMINDERS = 2


async def round_of(session: AsyncSession, year: int) -> FollowUp | None:
    return await session.scalar(select(FollowUp).where(FollowUp.year == year))


async def get_round(session: AsyncSession, followup_id: int) -> FollowUp | None:
    return await session.get(FollowUp, followup_id)


async def add_round(
    session: AsyncSession,
    *,
    year: int,
    pack: str,
    deadline: datetime,
    started_by: int | None,
    now: datetime,
) -> FollowUp:
    followup = FollowUp(
        year=year, pack=pack, deadline=deadline, started_by=started_by, started_at=now
    )
    session.add(followup)
    await session.flush()
    return followup


async def contacts_to_ask(
    session: AsyncSession, followup_id: int
) -> Sequence[tuple[Member, FollowUpAnswer | None, str | None]]:
    """Every organisation in the register with a connected contact, with its answer row in
    this round (None: not asked yet) and its contact's language."""
    rows = await session.execute(
        select(Member, FollowUpAnswer, User.language)
        .outerjoin(
            FollowUpAnswer,
            and_(FollowUpAnswer.member_id == Member.id, FollowUpAnswer.followup_id == followup_id),
        )
        .outerjoin(User, User.telegram_id == Member.contact_id)
        .where(Member.contact_id.is_not(None), Member.left_on.is_(None))
        .order_by(Member.id)
    )
    return [(member, answer, language) for member, answer, language in rows.all()]


async def count_not_asked(session: AsyncSession, followup_id: int) -> int:
    return sum(1 for _, answer, _ in await contacts_to_ask(session, followup_id) if answer is None)


async def get_answer(session: AsyncSession, answer_id: int) -> FollowUpAnswer | None:
    return await session.get(FollowUpAnswer, answer_id)


async def answer_with_context(
    session: AsyncSession, answer_id: int
) -> tuple[FollowUpAnswer, FollowUp, Member] | None:
    """An answer row with its round and organisation."""
    row = (
        await session.execute(
            select(FollowUpAnswer, FollowUp, Member)
            .join(FollowUp, FollowUp.id == FollowUpAnswer.followup_id)
            .join(Member, Member.id == FollowUpAnswer.member_id)
            .where(FollowUpAnswer.id == answer_id)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


async def answers_of_round(
    session: AsyncSession, followup_id: int
) -> Sequence[tuple[FollowUpAnswer, Member]]:
    rows = await session.execute(
        select(FollowUpAnswer, Member)
        .join(Member, Member.id == FollowUpAnswer.member_id)
        .where(FollowUpAnswer.followup_id == followup_id)
        .order_by(func.lower(Member.name), Member.id)
    )
    return [(answer, member) for answer, member in rows.all()]


async def close_due(session: AsyncSession, now: datetime) -> list[FollowUp]:
    """Rounds whose deadline has passed, now closed."""
    due = await session.scalars(
        select(FollowUp)
        .where(FollowUp.closed_at.is_(None), FollowUp.deadline <= now)
        .with_for_update(skip_locked=True)
    )
    closed = list(due.all())
    for followup in closed:
        followup.closed_at = now
    return closed


async def due_reminders(session: AsyncSession, now: datetime) -> Sequence[FollowUpAnswer]:
    """Unsubmitted answers of open rounds whose next reminder is due (7 and 14 days after
    they were asked), locked for this worker."""
    first, second = now - REMINDER_AFTER, now - 2 * REMINDER_AFTER
    rows = await session.scalars(
        select(FollowUpAnswer)
        .join(FollowUp, FollowUp.id == FollowUpAnswer.followup_id)
        .where(
            FollowUp.closed_at.is_(None),
            FollowUp.deadline > now,
            FollowUpAnswer.submitted_at.is_(None),
            FollowUpAnswer.user_id.is_not(None),
            or_(
                and_(FollowUpAnswer.reminders == 0, FollowUpAnswer.asked_at <= first),
                and_(FollowUpAnswer.reminders == 1, FollowUpAnswer.asked_at <= second),
            ),
        )
        .order_by(FollowUpAnswer.id)
        .with_for_update(of=FollowUpAnswer, skip_locked=True)
    )
    return rows.all()


# -- removal from the register ------------------------------------------------------------------


async def reported_inactive(session: AsyncSession) -> Sequence[Member]:
    """Organisations that said they are no longer active, still in the register."""
    rows = await session.scalars(
        select(Member)
        .where(Member.inactive_reported_at.is_not(None), Member.left_on.is_(None))
        .order_by(Member.inactive_reported_at, Member.id)
    )
    return rows.all()


async def get_member(session: AsyncSession, member_id: int) -> Member | None:
    return await session.get(Member, member_id)


# -- privacy -------------------------------------------------------------------------------------


async def answers_of_user(
    session: AsyncSession, user_id: int
) -> Sequence[tuple[FollowUpAnswer, FollowUp, Member]]:
    rows = await session.execute(
        select(FollowUpAnswer, FollowUp, Member)
        .join(FollowUp, FollowUp.id == FollowUpAnswer.followup_id)
        .join(Member, Member.id == FollowUpAnswer.member_id)
        .where(FollowUpAnswer.user_id == user_id)
        .order_by(FollowUp.year, Member.id)
    )
    return [(answer, followup, member) for answer, followup, member in rows.all()]


async def forget_user(session: AsyncSession, user_id: int) -> None:
    """What the person wrote goes; their scores and "still active" stay, without them, in
    the year's counts."""
    await session.execute(
        update(FollowUpAnswer)
        .where(FollowUpAnswer.user_id == user_id)
        .values(user_id=None, change=None)
        .execution_options(synchronize_session=False)
    )


# -- the year's figures -------------------------------------------------------------------------


async def joined(session: AsyncSession, start: date, end: date) -> dict[str, int]:
    """Organisations that joined in [start, end), by how ("application" or "forum")."""
    rows = await session.execute(
        select(Member.joined_via, func.count())
        .where(Member.joined_on >= start, Member.joined_on < end)
        .group_by(Member.joined_via)
    )
    return {via: int(count) for via, count in rows.all()}


async def left(session: AsyncSession, start: date, end: date) -> int:
    count = await session.scalar(
        select(func.count()).where(Member.left_on >= start, Member.left_on < end)
    )
    return int(count or 0)


async def forums_held(session: AsyncSession, start: datetime, end: datetime) -> Sequence[Forum]:
    """Published forums (not cancelled, not drafts) that started in [start, end)."""
    rows = await session.scalars(
        select(Forum)
        .where(Forum.status == "published", Forum.starts_at >= start, Forum.starts_at < end)
        .order_by(Forum.starts_at, Forum.id)
    )
    return rows.all()


async def invitations_sent(session: AsyncSession, forum_ids: Sequence[int]) -> dict[int, int]:
    """Invitations delivered per forum."""
    if not forum_ids:
        return {}
    rows = await session.execute(
        select(Outbox.forum_id, func.count())
        .where(
            Outbox.forum_id.in_(list(forum_ids)),
            Outbox.kind == "announcement",
            Outbox.status == "sent",
        )
        .group_by(Outbox.forum_id)
    )
    return {int(forum_id): int(count) for forum_id, count in rows.all() if forum_id}


async def questions_by_language(
    session: AsyncSession, start: datetime, end: datetime
) -> dict[str, int]:
    rows = await session.execute(
        select(Question.language, func.count())
        .where(Question.created_at >= start, Question.created_at < end)
        .group_by(Question.language)
    )
    return {language: int(count) for language, count in rows.all()}


async def handovers(session: AsyncSession, start: datetime, end: datetime) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Question.created_at >= start,
            Question.created_at < end,
            Question.forwarded_chat_id.is_not(None),
        )
    )
    return int(count or 0)
