"""Access needs through the real Application: asked once after "I'll come", in the person's
language; kept through "Can't come"; refused text explained; staff's summary counted right,
on the card and sent once a week before the start, even after a restart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.forums import needs
from bot.forums.needs import MAX_LANGUAGE, MAX_NEEDS
from bot.local_api import LocalBotApi, LocalUser, Message
from handlers.forum_admin import ForumAction, ForumAdminButton
from handlers.forum_needs import NeedsButton, NeedsChoice, NeedsListButton
from handlers.forum_notices import RsvpButton
from storage.models import Outbox, Reminder, Rsvp
from tests.conftest import ADMIN_ID
from tests.forum_helpers import ZONE, Bot, Clock, started


async def rsvp(bot: Bot, forum_id: int, user_id: int) -> Rsvp:
    found = await bot.scalar(
        select(Rsvp).where(Rsvp.forum_id == forum_id, Rsvp.user_id == user_id)
    )
    assert found is not None
    return found


async def come(bot: Bot, person: LocalUser, forum_id: int, going: bool = True) -> list[Message]:
    invitation = bot.api.bot_messages(person.chat_id)[-1]
    return await person.press_data(RsvpButton(forum_id, going).pack(), invitation)


async def test_needs_are_asked_once_in_the_persons_language_and_survive_cant_come(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        arabic = await bot.subscriber(2000, "ar")
        forum_id = await bot.announced()
        invitation = bot.api.bot_messages(2000)[-1]

        answered = await arabic.press("سأحضر", invitation)
        assert "ترجمة" in answered[-1].text, "the question, in Arabic"
        assert "العربية" in answered[-1].button_texts
        others = await arabic.press("العربية", answered[-1])
        assert "رعاية أطفال" in others[-1].text, "anything else, in Arabic"
        noted = await arabic.send("أحتاج إلى مدخل بلا درج")
        assert "تم التسجيل" in noted[-1].text

        again = await arabic.press("سأحضر", invitation)
        await arabic.press("لا أستطيع الحضور", invitation)
        back = await arabic.press("سأحضر", invitation)

        assert all("ترجمة" not in m.text for m in again + back), "asked once"
        kept = await rsvp(bot, forum_id, 2000)
        assert (kept.status, kept.interpretation) == ("going", "ar")
        assert kept.needs == "أحتاج إلى مدخل بلا درج"
        listing = await arabic.send("/forums")
        changed = await arabic.press("♿", listing[-1])
        assert "ترجمة" in changed[-1].text, "changed from the forum's card"
        await arabic.press("لا أحتاج", changed[-1])
        await arabic.press("لا شيء")
        assert (await rsvp(bot, forum_id, 2000)).interpretation == ""
        assert (await rsvp(bot, forum_id, 2000)).needs is None


async def test_a_typed_language_and_needs_that_are_too_long_or_empty_are_explained(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        person = await bot.subscriber(2100, "en")
        forum_id = await bot.announced()
        await come(bot, person, forum_id)
        await person.press("Another language")

        too_long = await person.send("T" * (MAX_LANGUAGE + 1))
        empty = await person.send("\u200b\u202e")
        assert f"at most {MAX_LANGUAGE} characters" in too_long[-1].text
        assert "could not read any text" in empty[-1].text
        await person.send("Tigrinya")
        long_needs = await person.send("x " * MAX_NEEDS)
        assert f"at most {MAX_NEEDS} characters" in long_needs[-1].text
        noted = await person.send("A hearing loop, please")

        assert "Tigrinya" in noted[-1].text
        kept = await rsvp(bot, forum_id, 2100)
        assert (kept.interpretation, kept.needs) == ("Tigrinya", "A hearing loop, please")
        question = await person.send("What is the agreement about?")
        assert kept.needs == (await rsvp(bot, forum_id, 2100)).needs, "a question again"
        assert question, "answered as a question"
        forged = await person.press_data(NeedsButton(NeedsChoice.NOTHING, forum_id + 7).pack())
        assert forged == []
        assert "not registered for this forum" in person.answers[-1]


async def answer_needs(
    bot: Bot, person: LocalUser, forum_id: int, language: str | None, other: str | None
) -> None:
    replies = await come(bot, person, forum_id)
    if language is None:
        await person.press("No interpretation", replies[-1])
    elif language.startswith("typed:"):
        await person.press("Another language", replies[-1])
        await person.send(language.removeprefix("typed:"))
    else:
        await person.press(language, replies[-1])
    if other is None:
        await person.press("Nothing")
    else:
        await person.send(other)


async def test_staff_get_the_summary_counted_right_once_a_week_before_even_after_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    clock, api = Clock(), LocalBotApi()
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        people = [await bot.subscriber(2200 + n, "en") for n in range(5)]
        forum_id = await bot.announced(starts=clock() + timedelta(days=10))
        await answer_needs(bot, people[0], forum_id, "العربية", None)
        await answer_needs(bot, people[1], forum_id, "typed:arabiska", "Step-free access")
        await answer_needs(bot, people[2], forum_id, "Suomi", None)
        await answer_needs(bot, people[3], forum_id, "Soomaali", "Childcare")
        await come(bot, people[3], forum_id, going=False)  # not coming: not counted
        await answer_needs(bot, people[4], forum_id, None, None)

        card = await bot.staff_presses(ForumAdminButton(ForumAction.CARD, forum_id))
        assert "Interpretation: Arabic 2, Finnish 1; other needs: 1" in card[-1].text
        assert "2201" not in card[-1].text, "no names on the card"
        starts_at = (await bot.forum(forum_id)).starts_at

    clock.set(starts_at - timedelta(days=6))  # down when it was due: sent when back
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        await bot.deliver()
        await bot.deliver()
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        await bot.deliver()
        summaries = [m for m in api.bot_messages(ADMIN_ID) if "Access needs for" in m.text]
        assert len(summaries) == 1, "once"
        assert "Interpretation: Arabic 2, Finnish 1; other needs: 1" in summaries[0].text
        named = await bot.staff.press_data(NeedsListButton(forum_id).pack(), summaries[0])
        assert "2201" in named[-1].text
        assert "Step-free access" in named[-1].text
        assert "Childcare" not in named[-1].text, "said no since"
        assert "2204" not in named[-1].text, "asked for nothing"
        member = bot.person(2200, "en")
        refused = await member.press_data(NeedsListButton(forum_id).pack(), summaries[0])
        assert refused == []
        assert "for municipal staff" in member.answers[-1]
        queued = select(func.count()).select_from(Outbox).where(Outbox.kind == needs.KIND)
        assert await bot.scalar(queued) == 1


async def test_a_new_time_plans_the_summary_again_and_none_goes_once_the_forum_started(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        forum_id = await bot.announced(starts=bot.clock() + timedelta(days=10))
        await bot.staff_presses(ForumAdminButton(ForumAction.MOVE, forum_id))
        local = (bot.clock() + timedelta(days=20)).astimezone(ZONE)
        await bot.staff.send(local.strftime("%Y-%m-%d") + " 17:00")
        await bot.staff.send("19:00")
        forum = await bot.forum(forum_id)

        planned = await bot.scalars(
            select(Reminder.due_at).where(
                Reminder.audience == needs.KIND, Reminder.status == "pending"
            )
        )
        assert planned == [forum.starts_at - timedelta(days=7)]

        bot.clock.set(forum.starts_at + timedelta(minutes=1))
        await bot.deliver()
        assert not any("Access needs" in m.text for m in bot.api.bot_messages(ADMIN_ID))
