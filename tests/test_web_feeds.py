"""Calendar feeds over HTTP: the public feed follows forums as they are published, moved
and cancelled (same UID, higher SEQUENCE), speaks the language asked for, and answers 304
when nothing changed; a person's own feed holds only their forums, and stops when revoked."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot.forums import lifecycle
from bot.links import LinkKind
from handlers.forum_notices import RsvpButton
from storage import forums, links
from tests.forum_helpers import ZONE, Bot, started
from tests.web_helpers import BASE_URL, events, web


async def answer(bot: Bot, user_id: int, forum_id: int, *, going: bool = True) -> None:
    person = bot.person(user_id)
    await person.send("/forums")
    await person.press_data(RsvpButton(forum_id, going=going).pack(), person.last_with_buttons())


async def test_the_public_feed_follows_publishing_moving_and_cancelling(
    database_url: str, tmp_path: Path
) -> None:
    async with (
        started(database_url, tmp_path, web_base_url=BASE_URL) as bot,
        web(bot.app) as client,
    ):
        draft = await bot.create_forum(title="Utkast")
        forum_id = await bot.announced()
        forum = await bot.forum(forum_id)
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            invitation = await links.ensure(session, LinkKind.FORUM, forum_id)

        first = await client.get("/calendar.ics")
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("text/calendar")
        assert b"BEGIN:VTIMEZONE" in first.content
        assert b"TZID:Europe/Stockholm" in first.content
        found = events(first.content)
        assert list(found) == [forum.uid], "published forums only, not the draft"
        event = found[forum.uid]
        assert event.decoded("dtstart") == forum.starts_at.astimezone(ZONE)
        assert str(event["location"]) == "Stadshuset, Campusgatan 26"
        assert str(event["url"]) == f"{BASE_URL}/forums/{forum_id}"
        assert str(event["status"]) == "CONFIRMED"
        assert "Vi pratar om mötesplatser" in str(event["description"])
        telegram = f"https://t.me/idebot_local_bot?start={invitation.token}"
        assert f"Svara i Telegram: {telegram}" in str(event["description"])
        assert (await bot.forum(draft)).uid not in found

        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = await client.get("/calendar.ics", headers={"If-None-Match": etag})
        assert (again.status_code, again.content) == (304, b"")
        since = await client.get("/calendar.ics", headers={"If-Modified-Since": modified})
        assert since.status_code == 304

        later = forum.starts_at + timedelta(days=2)
        await bot.reimport(forum_id, starts_at=later, ends_at=later + timedelta(hours=2))
        moved = await client.get("/calendar.ics", headers={"If-None-Match": etag})
        assert moved.status_code == 200, "changed: the whole feed again"
        event = events(moved.content)[forum.uid]
        assert event.decoded("dtstart") == later.astimezone(ZONE)
        assert event["sequence"] > found[forum.uid]["sequence"]

        await bot.reimport(forum_id, cancelled=True)
        cancelled = events((await client.get("/calendar.ics")).content)[forum.uid]
        assert str(cancelled["status"]) == "CANCELLED"
        assert cancelled["sequence"] > event["sequence"]


async def test_the_feed_speaks_the_language_asked_for_and_says_when_it_cannot(
    database_url: str, tmp_path: Path
) -> None:
    async with (
        started(database_url, tmp_path, web_base_url=BASE_URL) as bot,
        web(bot.app) as client,
    ):
        translated = await bot.create_forum(title="Forum om lokaler")
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            forum = await forums.get_forum(session, translated)
            assert forum is not None
            lifecycle.set_text(forum, "ar", "منتدى حول المباني", "نتحدث عن أماكن اللقاء للشباب.")
        swedish_only = await bot.create_forum(title="Forum om bidrag")
        for forum_id in (translated, swedish_only):
            await bot.publish(forum_id)

        arabic = {
            str(e["summary"]): str(e["description"])
            for e in events((await client.get("/calendar.ics?lang=ar")).content).values()
        }
        unknown = {
            str(e["summary"]): str(e["description"])
            for e in events((await client.get("/calendar.ics?lang=xx")).content).values()
        }

    assert set(arabic) == {"منتدى حول المباني", "Forum om bidrag"}
    assert "نتحدث عن أماكن اللقاء للشباب." in arabic["منتدى حول المباني"]
    assert "لا يوجد نص لهذا المنتدى بلغتك بعد" not in arabic["منتدى حول المباني"]
    fallback = arabic["Forum om bidrag"]
    assert "لا يوجد نص لهذا المنتدى بلغتك بعد" in fallback, "the note, in Arabic"
    assert "Vi pratar om mötesplatser" in fallback, "and the Swedish text"
    assert "المزيد عن المنتدى" in fallback
    assert set(unknown) == {"Forum om lokaler", "Forum om bidrag"}, "unknown: the default, sv"
    assert all("Mer om forumet" in description for description in unknown.values())


async def test_a_personal_feed_holds_only_that_persons_forums_until_revoked(
    database_url: str, tmp_path: Path
) -> None:
    async with (
        started(database_url, tmp_path, web_base_url=BASE_URL) as bot,
        web(bot.app) as client,
    ):
        mine = await bot.announced(title="Mitt forum")
        theirs = await bot.announced(title="Deras forum")
        full = await bot.announced(title="Fullt forum", capacity=1)
        declined = await bot.announced(title="Nej tack")
        await answer(bot, 1002, theirs)
        await answer(bot, 1002, full)  # takes the only place
        await answer(bot, 1001, mine)
        await answer(bot, 1001, full)  # waitlisted
        await answer(bot, 1001, declined, going=False)
        me = bot.person(1001)

        reply = (await me.send("/calendar"))[-1]
        token = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", reply.text)
        assert token is not None, reply.text
        assert f"{BASE_URL}/calendar/{token[1]}.ics" in reply.text
        assert any(b.get("url") == f"{BASE_URL}/calendar/{token[1]}" for b in reply.buttons)

        feed = await client.get(f"/calendar/{token[1]}.ics")
        assert feed.status_code == 200
        found = {str(e["summary"]): e for e in events(feed.content).values()}
        assert set(found) == {"Mitt forum", "⏳ Väntelista: Fullt forum"}
        assert str(found["⏳ Väntelista: Fullt forum"]["status"]) == "TENTATIVE"
        assert "Du står på väntelistan" in str(found["⏳ Väntelista: Fullt forum"]["description"])
        assert str(found["Mitt forum"]["status"]) == "CONFIRMED"
        assert feed.headers["cache-control"].startswith("private")
        opened = await client.get(f"/calendar/{token[1]}")
        assert opened.status_code == 302
        assert opened.headers["location"] == f"webcal://idebot.example.org/calendar/{token[1]}.ics"

        await me.press("Stäng av adressen")
        assert (await client.get(f"/calendar/{token[1]}.ics")).status_code == 404
        assert (await client.get("/calendar/nosuchtoken.ics")).status_code == 404

        renewed = re.search(
            r"/calendar/([A-Za-z0-9_-]+)\.ics", (await me.send("/calendar"))[-1].text
        )
        assert renewed is not None
        assert renewed[1] != token[1]
        assert (await client.get(f"/calendar/{renewed[1]}.ics")).status_code == 200
        await me.send("/deletemydata")
        await me.press("Ja, radera")
        assert (await client.get(f"/calendar/{renewed[1]}.ics")).status_code == 404, "erased"


async def test_a_move_shows_in_the_personal_feed_and_etag_says_so(
    database_url: str, tmp_path: Path
) -> None:
    async with (
        started(database_url, tmp_path, web_base_url=BASE_URL) as bot,
        web(bot.app) as client,
    ):
        forum_id = await bot.announced()
        await answer(bot, 1001, forum_id)
        token = re.search(
            r"/calendar/([A-Za-z0-9_-]+)\.ics", (await bot.person(1001).send("/calendar"))[-1].text
        )
        assert token is not None
        url = f"/calendar/{token[1]}.ics"
        before = await client.get(url)
        assert (
            await client.get(url, headers={"If-None-Match": before.headers["etag"]})
        ).status_code == 304

        forum = await bot.forum(forum_id)
        await bot.reimport(
            forum_id,
            starts_at=forum.starts_at + timedelta(hours=1),
            ends_at=forum.ends_at + timedelta(hours=1),
        )
        after = await client.get(url, headers={"If-None-Match": before.headers["etag"]})

    assert after.status_code == 200
    event = events(after.content)[forum.uid]
    assert event.decoded("dtstart") == (forum.starts_at + timedelta(hours=1)).astimezone(ZONE)


async def test_without_a_public_address_calendar_says_feeds_are_not_available(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path, telegram_bot_token="123:abc") as bot:
        person = bot.person(1001)
        reply = (await person.send("/calendar"))[-1]
        await person.press_data("calx:1", reply)  # forged: not the stop button's data

    assert "Kalenderprenumerationer finns inte" in reply.text
    assert not reply.buttons
    assert (
        person.answers[-1]
        == "Den här knappen fungerar inte längre. Skicka /start för att få menyn."
    )
