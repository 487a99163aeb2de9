"""A forum's minutes through the real Application: written by staff once it has started,
sent to those who came and to those who asked for summaries, each once and in their own
language (or in Swedish, with a note), and to nobody else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from handlers.forum_admin import ForumAction, ForumAdminButton
from handlers.forum_notices import RsvpButton
from handlers.minutes import MinutesAction, MinutesButton
from storage.models import User
from tests.forum_helpers import Bot, started

SWEDISH = "Vi pratade om lokaler. Nästa forum blir i maj."
ARABIC = "تحدثنا عن الأماكن. المنتدى القادم في مايو."


async def coming(bot: Bot, forum_id: int, user_id: int, going: bool = True) -> None:
    invitation = bot.api.bot_messages(user_id)[-1]
    await bot.person(user_id).press_data(RsvpButton(forum_id, going).pack(), invitation)


async def test_minutes_reach_those_who_came_and_summary_subscribers_in_their_languages(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        languages = {4000: "sv", 4001: "ar", 4002: "fi", 4003: "so", 4004: "en", 4005: "en"}
        for user_id, language in languages.items():
            await bot.subscriber(user_id, language)
        forum_id = await bot.announced()
        for user_id in (4000, 4001, 4002):
            await coming(bot, forum_id, user_id)
        await coming(bot, forum_id, 4005, going=False)
        await bot.person(4002, "fi").send("/summaries")  # came, and wants them: once
        turned_on = await bot.person(4003, "so").send("/summaries")  # did not answer
        assert "/summaries" in turned_on[-1].text
        await bot.person(4004, "en").send("/summaries")
        await bot.person(4004, "en").send("/summaries")  # and off again

        early = await bot.staff_presses(MinutesButton(MinutesAction.WRITE, forum_id))
        assert "once the forum has started" in early[-1].text
        forum = await bot.forum(forum_id)
        bot.clock.set(forum.ends_at + timedelta(hours=2))
        card = await bot.staff_presses(ForumAdminButton(ForumAction.CARD, forum_id))
        await bot.staff.press("Write minutes", card[-1])
        empty = await bot.staff.send("  ")
        assert "need some text" in empty[-1].text
        await bot.staff.send(SWEDISH)
        await bot.staff.press("Add a language")
        await bot.staff.press("العربية")
        preview = await bot.staff.send(ARABIC)
        assert ARABIC in preview[-1].text
        await bot.staff.press("Send to 4 people")
        await bot.staff.press("Yes, send them")
        await bot.deliver()
        await bot.deliver()

        def minutes_in(user_id: int) -> list[str]:
            return [m.text for m in bot.api.bot_messages(user_id) if "Nästa forum" in m.text
                    or ARABIC in m.text]  # fmt: skip

        assert minutes_in(4000) == [
            f"📝 Minnesanteckningar: Dialogforum om mötesplatser\n\n{SWEDISH}"
        ]
        assert len(minutes_in(4001)) == 1
        assert ARABIC in minutes_in(4001)[0]
        assert len(minutes_in(4002)) == 1, "came and asked for summaries: once"
        assert "ruotsiksi" in minutes_in(4002)[0] or "ruotsinkielinen" in minutes_in(4002)[0]
        assert len(minutes_in(4003)) == 1
        assert "iswiidhish" in minutes_in(4003)[0]
        assert minutes_in(4004) == []
        assert minutes_in(4005) == []
        assert "4 of 4 delivered" in bot.api.bot_messages(900)[-1].text

        again = await bot.staff_presses(MinutesButton(MinutesAction.GO, forum_id))
        assert "have been sent" in again[-1].text
        await bot.deliver()
        assert len(minutes_in(4000)) == 1, "sent once"
        wants = await bot.scalars(select(User.telegram_id).where(User.wants_summaries))
        assert sorted(wants) == [4002, 4003]


async def test_only_staff_write_minutes(database_url: str, tmp_path: Path) -> None:
    async with started(database_url, tmp_path) as bot:
        member = await bot.subscriber(4100, "en")
        forum_id = await bot.announced()
        forum = await bot.forum(forum_id)
        bot.clock.set(forum.starts_at + timedelta(minutes=5))

        refused = await member.press_data(MinutesButton(MinutesAction.WRITE, forum_id).pack())
        await member.send("This is not the minutes")

        assert refused == []
        assert "for municipal staff" in member.answers[-1]
        assert (await bot.forum(forum_id)).minutes is None
