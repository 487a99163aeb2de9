"""Check-in at the door through the real Application: the link counts from an hour before
the start to the end, once per person, whether they answered or not; staff count people
without Telegram; the staff card shows invited, coming, waitlisted and checked in; and
/mydata and /deletemydata cover check-ins and contact connections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.forums.door import Door, door_state, window
from handlers.forum_admin import ForumAction, ForumAdminButton
from handlers.link_buttons import ForumLinkButton, LinkAction
from storage.models import CheckIn, Forum, Member, User
from tests.forum_helpers import Bot, started
from tests.link_helpers import qr_size, token_in
from tests.test_forgetting import dump
from tests.test_links import add_member

PERSON = 7101


async def door_token(bot: Bot, forum_id: int) -> str:
    sent = await bot.staff_presses(ForumLinkButton(LinkAction.CHECKIN, forum_id))
    assert "At the door" in sent[-1].text
    assert qr_size(sent)[0] > 0
    return token_in(sent)


async def check_ins(bot: Bot, forum_id: int) -> int:
    return int(await bot.scalar(select(func.count()).where(CheckIn.forum_id == forum_id)) or 0)


async def test_check_in_counts_once_from_an_hour_before_the_start_to_the_end(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        forum_id = await bot.announced()
        token = await door_token(bot, forum_id)
        forum = await bot.forum(forum_id)
        person = bot.person(PERSON, "en")  # never answered, never subscribed

        bot.clock.set(forum.starts_at - timedelta(minutes=61))
        early = await person.send(f"/start {token}")
        assert "opens" in early[-1].text
        assert await check_ins(bot, forum_id) == 0
        assert await bot.scalar(select(User).where(User.telegram_id == PERSON)) is None

        bot.clock.set(forum.starts_at - timedelta(minutes=59))
        welcome = await person.send(f"/start {token}")
        again = await person.send(f"/start {token}")
        assert "You are checked in" in welcome[-1].text
        assert "already checked in" in again[-1].text
        assert await check_ins(bot, forum_id) == 1

        bot.clock.set(forum.ends_at + timedelta(minutes=1))
        ended = await bot.person(PERSON + 1, "en").send(f"/start {token}")
        assert await check_ins(bot, forum_id) == 1
        assert "has ended, so check-in is closed" in ended[-1].text


def test_the_window_is_exactly_from_an_hour_before_the_start_to_the_end() -> None:
    start = datetime(2027, 3, 18, 17, 0, tzinfo=UTC)
    forum = Forum(starts_at=start, ends_at=start + timedelta(hours=2), status="published")
    opens, closes = window(forum)
    tick = timedelta(microseconds=1)

    assert (opens, closes) == (start - timedelta(hours=1), start + timedelta(hours=2))
    assert door_state(forum, opens - tick) is Door.TOO_EARLY
    assert door_state(forum, opens) is None
    assert door_state(forum, closes) is None
    assert door_state(forum, closes + tick) is Door.ENDED
    assert door_state(replace_status(forum, "cancelled"), opens) is Door.CANCELLED
    assert door_state(replace_status(forum, "draft"), opens) is Door.MISSING


def replace_status(forum: Forum, status: str) -> Forum:
    return Forum(starts_at=forum.starts_at, ends_at=forum.ends_at, status=status)


async def test_staff_count_people_at_the_door_and_the_card_shows_who_came(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        people = [await bot.subscriber(7200 + n, "en") for n in range(3)]
        forum_id = await bot.announced(capacity=1)
        for person in people[:2]:
            await person.press("I'll come", bot.api.bot_messages(person.chat_id)[-1])
        token = await door_token(bot, forum_id)
        forum = await bot.forum(forum_id)
        bot.clock.set(forum.starts_at)
        await people[2].send(f"/start {token}")  # came without answering

        plus = ForumLinkButton(LinkAction.PLUS, forum_id).pack()
        minus = ForumLinkButton(LinkAction.MINUS, forum_id).pack()
        counter = bot.staff.last_with_buttons()
        for data in (plus, plus, minus):
            await bot.staff.press_data(data, counter)
        edited = bot.api.bot_messages(bot.staff.chat_id)[-1]
        assert "Counted without Telegram: 1" in edited.text
        assert "Checked in, in all: 2" in edited.text
        for _ in range(3):
            await bot.staff.press_data(minus, counter)
        assert (await bot.forum(forum_id)).walk_ins == 0, "never below 0"
        await bot.staff.press_data(plus, counter)

        card = await bot.staff_presses(ForumAdminButton(ForumAction.CARD, forum_id))

        assert "Coming: 1 · Waitlist: 1" in card[-1].text
        assert "Invited: 3 · Checked in: 2 (counted at the door: 1)" in card[-1].text


async def test_a_cancelled_forums_check_in_says_so_and_counts_nothing(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        forum_id = await bot.announced()
        token = await door_token(bot, forum_id)
        await bot.staff_presses(ForumAdminButton(ForumAction.CANCEL, forum_id))
        await bot.staff.press("Yes, cancel it")
        bot.clock.set((await bot.forum(forum_id)).starts_at)

        told = await bot.person(PERSON, "en").send(f"/start {token}")

        assert "Cancelled" in told[-1].text
        assert await check_ins(bot, forum_id) == 0
        await bot.staff_presses(ForumLinkButton(LinkAction.PLUS, forum_id))
        assert "no longer works" in bot.staff.answers[-1]
        assert (await bot.forum(forum_id)).walk_ins == 0


async def test_mydata_shows_check_ins_and_contacts_and_deletemydata_keeps_only_the_count(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        forum_id = await bot.announced()
        token = await door_token(bot, forum_id)
        member_id = await add_member(bot)
        contact_token = token_in(await bot.staff.send(f"/orglinks {member_id}"))
        person = bot.person(PERSON, "en")
        await person.send(f"/start {contact_token}")
        await person.press("Connect me")
        bot.clock.set((await bot.forum(forum_id)).starts_at)
        await person.send(f"/start {token}")

        shown = await person.send("/mydata")
        assert "contact person of: Föreningen Ängsö" in shown[-1].text
        assert "checked in at 1 dialogue forum: Dialogforum om mötesplatser" in shown[-1].text

        await person.send("/deletemydata")
        await person.press("Yes, delete my data")

        assert [spot for spot in await dump(bot) if spot[2] == PERSON] == []
        assert await check_ins(bot, forum_id) == 1, "the count stays"
        assert await bot.scalar(select(Member.contact_id)) is None
        assert await bot.scalar(select(User).where(User.telegram_id == PERSON)) is None
