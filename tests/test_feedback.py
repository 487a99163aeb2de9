"""Feedback after a forum through the real Application: asked once, the day after, only of
those who came (checked in, or said they would come when check-in was not used), in their
language; ratings and comments kept; the close report and its CSV; /mydata and
/deletemydata."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.forums import feedback
from bot.local_api import LocalBotApi
from handlers.forum_admin import ForumAction, ForumAdminButton
from handlers.forum_close import ReportButton
from handlers.forum_feedback import RatingButton
from handlers.forum_notices import RsvpButton
from storage import attendance
from storage.models import Feedback, Member
from tests.conftest import ADMIN_ID
from tests.forum_helpers import ZONE, Bot, Clock, started

ASKED = {"sv": "Hur var det?", "fi": "Millainen se oli?", "en": "How was it?"}


async def coming(bot: Bot, user_id: int, language: str, forum_id: int, going: bool = True) -> None:
    person = bot.person(user_id, language)
    await person.press_data(RsvpButton(forum_id, going).pack(), bot.api.bot_messages(user_id)[-1])


async def day_after(bot: Bot, forum_id: int) -> None:
    bot.clock.set(feedback.due(await bot.forum(forum_id), ZONE) + timedelta(minutes=1))


async def test_feedback_is_asked_once_the_day_after_only_of_those_who_said_they_came(
    database_url: str, tmp_path: Path
) -> None:
    clock, api = Clock(), LocalBotApi()
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        for user_id, language in ((3000, "sv"), (3001, "fi"), (3002, "en"), (3003, "en")):
            await bot.subscriber(user_id, language)
        forum_id = await bot.announced(capacity=2)
        await coming(bot, 3000, "sv", forum_id)
        await coming(bot, 3001, "fi", forum_id)
        await coming(bot, 3002, "en", forum_id)  # waitlisted: did not come
        await coming(bot, 3003, "en", forum_id, going=False)
        forum = await bot.forum(forum_id)
        clock.set(forum.ends_at + timedelta(hours=1))
        await bot.deliver()  # the evening of the forum: not yet
        assert not any(ASKED["sv"] in m.text for m in api.bot_messages(3000))
        await day_after(bot, forum_id)
        await bot.deliver()
        await bot.deliver()
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        await bot.deliver()
        for user_id, language in ((3000, "sv"), (3001, "fi")):
            asked = [m for m in api.bot_messages(user_id) if ASKED[language] in m.text]
            assert len(asked) == 1, user_id
        for user_id in (3002, 3003):
            assert not any(ASKED["en"] in m.text for m in api.bot_messages(user_id))

        swedish, finnish = bot.person(3000, "sv"), bot.person(3001, "fi")
        await swedish.press("4", swedish.last_with_buttons())
        await swedish.send("Bra samtal, men för kort tid.")
        await finnish.press("2", finnish.last_with_buttons())
        await finnish.press_data(RatingButton(forum_id, 3).pack())  # replaces the first
        await finnish.press("Ohita")
        outsider = await bot.person(3002, "en").press_data(RatingButton(forum_id, 5).pack())
        assert outsider == []
        assert "Only those who came" in bot.person(3002, "en").answers[-1]
        other_forum = await swedish.press_data(RatingButton(forum_id + 1, 5).pack())
        assert other_forum == []
        assert "Bara de som var med" in swedish.answers[-1]

        given = {
            row.user_id: (row.rating, row.comment)
            for row in await bot.scalars(select(Feedback).where(Feedback.forum_id == forum_id))
        }
        assert given == {3000: (4, "Bra samtal, men för kort tid."), 3001: (3, None)}


async def test_with_check_in_only_those_who_checked_in_are_asked(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        for user_id in (3100, 3101):
            await bot.subscriber(user_id, "en")
        forum_id = await bot.announced()
        await coming(bot, 3100, "en", forum_id)
        await coming(bot, 3101, "en", forum_id)
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            await attendance.check_in(session, forum_id, 3101)

        await day_after(bot, forum_id)
        await bot.deliver()

        assert not any(ASKED["en"] in m.text for m in bot.api.bot_messages(3100))
        assert any(ASKED["en"] in m.text for m in bot.api.bot_messages(3101))
        asked = await bot.scalars(select(Feedback.user_id).where(Feedback.forum_id == forum_id))
        assert asked == [3101]


async def test_the_close_report_counts_and_its_csv_has_figures_and_comments_but_no_names(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        for user_id in (3200, 3201, 3202):
            await bot.subscriber(user_id, "en")
        forum_id = await bot.announced()
        await coming(bot, 3200, "en", forum_id)
        await coming(bot, 3201, "en", forum_id)
        await coming(bot, 3202, "en", forum_id, going=False)
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            session.add(
                Member(name="Föreningen Ängen", joined_on=date(2026, 1, 1), joined_via="form",
                       contact_id=3200)
            )  # fmt: skip
        await day_after(bot, forum_id)
        await bot.deliver()
        first, second = bot.person(3200, "en"), bot.person(3201, "en")
        await first.press("5", first.last_with_buttons())
        await first.send("Very good, thank you")
        await second.press("2", second.last_with_buttons())
        await second.press("Skip")

        card = (await bot.staff_presses(ForumAdminButton(ForumAction.CARD, forum_id)))[-1]
        assert "Invited: 3 · Answered: 3 · Checked in: 0" in card.text
        assert (
            "Feedback: 2 of 2 asked · average 3.5 (1: 0 · 2: 1 · 3: 0 · 4: 0 · 5: 1)" in card.text
        )
        assert "Organisations represented: 1" in card.text
        assert "Very good, thank you" in card.text
        await bot.staff.press_data(ReportButton(forum_id).pack(), card)

        document = bot.api.bot_messages(ADMIN_ID)[-1].document
        assert document is not None
        rows = dict(
            line.split(",", 1)
            for line in document[1].decode("utf-8-sig").splitlines()
            if not line.startswith("comment")
        )
        text = document[1].decode("utf-8-sig")
        assert (rows["invited"], rows["going"], rows["not_going"]) == ("3", "2", "1")
        assert (rows["feedback_average"], rows["rating_5"], rows["rating_2"]) == ("3.5", "1", "1")
        assert rows["organisations"] == "1"
        assert 'comment,"Very good, thank you"' in text
        assert not any(str(user_id) in text for user_id in (3200, 3201, 3202)), "no ids"


async def test_mydata_shows_needs_and_feedback_and_deletemydata_keeps_only_the_rating(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        person = await bot.subscriber(3300, "en")
        forum_id = await bot.announced()
        replies = await person.press_data(
            RsvpButton(forum_id, True).pack(), bot.api.bot_messages(3300)[-1]
        )
        await person.press("Another language", replies[-1])
        await person.send("Tigrinya")
        await person.send("A quiet room for prayer")
        await day_after(bot, forum_id)
        await bot.deliver()
        await person.press("4", person.last_with_buttons())
        await person.send("Good coffee")

        shown = (await person.send("/mydata"))[-1].text
        assert "Tigrinya" in shown
        assert "A quiet room for prayer" in shown
        assert "rating 4" in shown
        assert "Good coffee" in shown
        await person.send("/deletemydata")
        await person.press("Yes, delete")

        kept = await bot.scalars(select(Feedback))
        assert [(row.user_id, row.rating, row.comment) for row in kept] == [(None, 4, None)]
