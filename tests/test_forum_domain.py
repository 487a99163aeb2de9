"""The forum domain without Telegram: answers with capacity and a waitlist, reminders,
and what a new time or a cancellation does to them."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.forums import lifecycle, reminders, rsvp
from bot.forums.notices import ForumNotice, Staff
from bot.forums.reminders import Schedule
from bot.forums.rsvp import Outcome
from storage import forums as repo
from storage.db import Database
from storage.models import Reminder
from tests.forum_domain import NOW, database, fields, people, published, rows, statuses


async def answer(
    db: Database, forum_id: int, user_id: int, going: bool, when: datetime = NOW
) -> rsvp.Answer:
    async with db.transaction() as session:
        return (await rsvp.answer(session, forum_id, user_id, going, when))[1]


async def test_answers_fill_the_places_then_the_waitlist_in_order(database_url: str) -> None:
    async with database(database_url) as db:
        forum_id = await published(db, capacity=2)
        results = [await answer(db, forum_id, user, True) for user in (1, 2, 3, 4)]
        again = await answer(db, forum_id, 3, True)

    assert [(r.outcome, r.position) for r in results] == [
        (Outcome.GOING, 0),
        (Outcome.GOING, 0),
        (Outcome.WAITLIST, 1),
        (Outcome.WAITLIST, 2),
    ]
    assert (again.outcome, again.position) == (Outcome.WAITLIST, 1), (
        "saying it again changes nothing"
    )


async def test_a_place_given_up_goes_to_the_first_on_the_waitlist_who_is_told(
    database_url: str,
) -> None:
    async with database(database_url) as db:
        await people(db, 1, 2, 3, 4)
        forum_id = await published(db, capacity=2)
        for user in (1, 2, 3, 4):
            await answer(db, forum_id, user, True)

        waiting_gives_up = await answer(db, forum_id, 4, False)
        going_gives_up = await answer(db, forum_id, 1, False)

        assert waiting_gives_up.promoted is None, "a place on the waitlist frees no place"
        assert going_gives_up == rsvp.Answer(Outcome.NOT_GOING, promoted=3)
        assert await statuses(db, forum_id) == {
            1: "not_going",
            2: "going",
            3: "going",
            4: "not_going",
        }
        assert [row.recipient for row in await rows(db, ForumNotice.PROMOTED)] == [3]


async def test_answers_are_refused_after_the_deadline_the_start_or_a_cancellation(
    database_url: str,
) -> None:
    async with database(database_url) as db:
        deadline = NOW + timedelta(days=2)
        forum_id = await published(db, deadline=deadline)
        late = await answer(db, forum_id, 1, True, deadline + timedelta(minutes=1))
        late_no = await answer(db, forum_id, 2, False, deadline + timedelta(minutes=1))
        past = await answer(db, forum_id, 1, True, NOW + timedelta(days=10, minutes=1))
        async with db.transaction() as session:
            draft = await lifecycle.create(session, fields(), None, NOW)
            missing = await rsvp.answer(session, draft.id, 1, True, NOW)
            unknown = await rsvp.answer(session, 999, 1, True, NOW)
            forum = await repo.get_forum(session, forum_id)
            assert forum is not None
            await lifecycle.cancel(session, forum, NOW, Staff())
        cancelled = await answer(db, forum_id, 3, True)

    assert late.outcome is Outcome.CLOSED
    assert late_no.outcome is Outcome.NOT_GOING, "saying no is always possible"
    assert past.outcome is Outcome.PAST
    assert missing == (None, rsvp.Answer(Outcome.MISSING)), "a draft cannot be answered"
    assert unknown == (None, rsvp.Answer(Outcome.MISSING))
    assert cancelled.outcome is Outcome.CANCELLED


async def test_filling_places_moves_up_as_many_as_there_are_places(database_url: str) -> None:
    async with database(database_url) as db:
        forum_id = await published(db, capacity=1)
        for user in (1, 2, 3, 4):
            await answer(db, forum_id, user, True)
        async with db.transaction() as session:
            forum = await repo.get_forum(session, forum_id)
            assert forum is not None
            forum.capacity = 3
            promoted = await rsvp.fill_places(session, forum, NOW)

        assert promoted == [2, 3]
        assert (await statuses(db, forum_id))[4] == "waitlist"


async def test_publishing_plans_only_the_reminders_still_ahead(database_url: str) -> None:
    async with database(database_url) as db:
        start = NOW + timedelta(days=3)
        forum_id = await published(db, starts_at=start, ends_at=start + timedelta(hours=2))
        async with db.transaction() as session:
            due = list(
                await session.scalars(
                    select(Reminder.due_at).where(Reminder.audience == "attendees")
                )
            )

    assert forum_id
    assert due == [start - timedelta(days=1)], "the 7-day one would be in the past"


async def test_a_due_reminder_goes_once_to_those_coming(database_url: str) -> None:
    async with database(database_url) as db:
        await people(db, 1, 2, 3)
        forum_id = await published(db)
        await answer(db, forum_id, 1, True)
        await answer(db, forum_id, 2, False)
        week_before = NOW + timedelta(days=3)
        async with db.transaction() as session:
            early = await reminders.send_due(session, week_before - timedelta(minutes=1))
        async with db.transaction() as session:
            queued = await reminders.send_due(session, week_before)
        async with db.transaction() as session:
            again = await reminders.send_due(session, week_before + timedelta(hours=1))

        assert (early, queued, again) == (0, 1, 0)
        assert [row.recipient for row in await rows(db, ForumNotice.REMINDER)] == [1]


async def test_reminders_to_subscribers_leave_out_only_those_who_said_no(
    database_url: str,
) -> None:
    async with database(database_url) as db:
        await people(db, 1, 2, 3)
        await people(db, 4, subscribed=False)
        schedule = Schedule(offsets=(timedelta(days=1),), audience="subscribers")
        forum_id = await published(db, schedule)
        await answer(db, forum_id, 2, False)
        async with db.transaction() as session:
            await reminders.send_due(session, NOW + timedelta(days=9))

        assert [row.recipient for row in await rows(db, ForumNotice.REMINDER)] == [1, 3]


async def test_a_reminder_overdue_past_the_start_is_dropped_with_a_log_line(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with database(database_url) as db:
        await people(db, 1)
        forum_id = await published(db)
        await answer(db, forum_id, 1, True)
        with caplog.at_level(logging.WARNING, logger="bot.forums"):
            async with db.transaction() as session:
                queued = await reminders.send_due(session, NOW + timedelta(days=10, minutes=5))
        async with db.transaction() as session:
            left = sorted(
                await session.scalars(
                    select(Reminder.status).where(Reminder.audience != "feedback")
                )
            )

    assert queued == 0
    assert left == ["dropped", "dropped", "dropped"], "two reminders and staff's summary"
    assert sum("started" in record.message for record in caplog.records) == 3


async def test_a_new_time_plans_new_reminders_and_a_cancellation_drops_them(
    database_url: str,
) -> None:
    async with database(database_url) as db:
        await people(db, 1, 2)
        forum_id = await published(db)
        await answer(db, forum_id, 2, False)
        start = NOW + timedelta(days=20)
        async with db.transaction() as session:
            forum = await repo.get_forum(session, forum_id)
            assert forum is not None
            moved = await lifecycle.reschedule(
                session, forum, starts_at=start, ends_at=start + timedelta(hours=2), now=NOW,
                schedule=Schedule(), staff=Staff(),
            )  # fmt: skip
            pending = list(
                await session.scalars(
                    select(Reminder.due_at)
                    .where(Reminder.status == "pending", Reminder.audience == "attendees")
                    .order_by("due_at")
                )
            )
        assert moved is not None
        assert moved.total == 2, "invited and declined alike hear of it"
        assert pending == [start - timedelta(days=7), start - timedelta(days=1)]

        await answer(db, forum_id, 1, True)
        async with db.transaction() as session:
            forum = await repo.get_forum(session, forum_id)
            assert forum is not None
            cancelled = await lifecycle.cancel(session, forum, NOW, Staff())
            left = set(await session.scalars(select(Reminder.status)))
        assert cancelled is not None
        assert cancelled.total == 1, "those coming, not those who said no"
        assert left == {"dropped"}
        unsent = await rows(db, ForumNotice.ANNOUNCEMENT) + await rows(db, ForumNotice.MOVED)
        assert {row.status for row in unsent} == {"dropped"}, "unsent notices are not sent"
