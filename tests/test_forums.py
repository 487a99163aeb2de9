"""Dialogue forums through the real Application: created by staff, announced to each
subscriber in their language, answered with capacity and a waitlist, moved, cancelled and
reminded, with the reminders surviving downtime."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.local_api import LocalBotApi
from handlers.forum_admin import ForumAction, ForumAdminButton
from handlers.forum_notices import CalendarButton, RsvpButton
from storage.models import Conversation, Newsletter, Outbox, Reminder, Rsvp, User
from tests.conftest import ADMIN_ID
from tests.forum_helpers import ZONE, Clock, started

INVITED = {
    "sv": "Du är inbjuden",
    "en": "You are invited",
    "ar": "أنت مدعو",
    "fi": "Sinut on kutsuttu",
    "so": "Waa lagugu martiqaaday",
}


async def test_an_announcement_reaches_each_subscriber_in_their_own_language(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        subscribers = {lang: await bot.subscriber(100 + n, lang) for n, lang in enumerate(INVITED)}
        bystander = bot.person(200, "en")
        await bystander.send("/start")  # never says yes: gets nothing
        forum_id = await bot.create_forum()
        await bot.staff_presses(ForumAdminButton(ForumAction.TRANSLATE, forum_id))
        await bot.staff.press("English")
        await bot.staff.send("Dialogue forum on meeting places")
        await bot.staff.send("We talk about meeting places for young people.")

        await bot.publish(forum_id)
        await bot.deliver()

        for language, user in subscribers.items():
            invitation = bot.api.bot_messages(user.chat_id)[-1]
            assert INVITED[language] in invitation.text, language
            assert len(invitation.buttons) == 3, "I'll come, can't come, add to calendar"
            if language == "en":
                assert "Dialogue forum on meeting places" in invitation.text
            else:
                assert "Dialogforum om mötesplatser" in invitation.text
        assert subscribers["ar"].api.bot_messages(100 + 2)[-1].text.startswith("\u200f")
        assert "ruotsinkielinen" in bot.api.bot_messages(subscribers["fi"].chat_id)[-1].text
        assert not any("Dialog" in m.text for m in bot.api.bot_messages(bystander.chat_id)), (
            "no opt-in, nothing sent"
        )


async def test_a_new_user_is_asked_once_and_a_no_means_nothing_is_sent(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        user = bot.person(300, "en")
        first = await user.send("/start")
        assert "dialogue forums" in first[-1].text
        await user.press("No, thanks")
        again = await user.send("/start")
        assert len(again) == 1, "asked once only"
        assert await bot.scalar(select(User.subscribed).where(User.telegram_id == 300)) is False

        await bot.publish(await bot.create_forum())
        await bot.deliver()

        assert not any("invited" in m.text for m in bot.api.bot_messages(300))
        yes = bot.person(301, "en")
        await yes.send("/start")
        await yes.press("Yes, please")
        assert await bot.scalar(select(User.subscribed).where(User.telegram_id == 301)) is True


async def test_rsvp_respects_capacity_and_a_cancellation_promotes_the_first_on_the_waitlist(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        people = [await bot.subscriber(400 + n, "en") for n in range(4)]
        forum_id = await bot.announced(capacity=2)

        for person in people[:2]:
            reply = await person.press("I'll come", bot.api.bot_messages(person.chat_id)[-1])
            assert "You are registered" in reply[-1].text
        third = await people[2].press("I'll come", bot.api.bot_messages(402)[-1])
        fourth = await people[3].press("I'll come", bot.api.bot_messages(403)[-1])
        assert "number 1 on the waitlist" in third[-1].text
        assert "number 2 on the waitlist" in fourth[-1].text

        await people[0].press("Can't come", bot.api.bot_messages(400)[-2])
        await bot.deliver()

        assert "A place opened up" in bot.api.bot_messages(402)[-1].text
        statuses = {
            rsvp.user_id: rsvp.status
            for rsvp in await bot.scalars(select(Rsvp).where(Rsvp.forum_id == forum_id))
        }
        assert statuses == {400: "not_going", 401: "going", 402: "going", 403: "waitlist"}
        listing = await people[3].send("/forums")
        assert "number 1 on the waitlist" in listing[-1].text


async def test_raising_the_capacity_by_import_moves_people_up_from_the_waitlist(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        people = [await bot.subscriber(450 + n, "en") for n in range(4)]
        forum_id = await bot.announced(capacity=1)
        for person in people:
            await person.press("I'll come", bot.api.bot_messages(person.chat_id)[-1])

        report = await bot.reimport(forum_id, capacity=3)
        await bot.deliver()

        assert report.updated == [forum_id]
        statuses = {
            rsvp.user_id: rsvp.status
            for rsvp in await bot.scalars(select(Rsvp).where(Rsvp.forum_id == forum_id))
        }
        assert statuses == {450: "going", 451: "going", 452: "going", 453: "waitlist"}
        assert "A place opened up" in bot.api.bot_messages(451)[-1].text
        assert "A place opened up" in bot.api.bot_messages(452)[-1].text
        assert "A place opened up" not in bot.api.bot_messages(453)[-1].text


async def test_a_new_place_by_import_is_told_to_the_invited_not_to_those_who_declined(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        coming, declined, _silent = [
            await bot.subscriber(user_id, language)
            for user_id, language in ((470, "sv"), (471, "en"), (472, "ar"))
        ]
        forum_id = await bot.announced()
        await coming.press("Jag kommer", bot.api.bot_messages(470)[-1])
        await declined.press("Can't come", bot.api.bot_messages(471)[-1])

        await bot.reimport(forum_id, place="Folkets hus, sal B")
        await bot.deliver()

        told = bot.api.bot_messages(470)[-1].text
        assert "Ny plats" in told
        assert "Folkets hus, sal B" in told
        assert "مكان جديد" in bot.api.bot_messages(472)[-1].text
        assert not any("New place" in m.text for m in bot.api.bot_messages(471))
        assert not any("Ny tid" in m.text for m in bot.api.bot_messages(470)), "same time"


async def test_reschedule_sends_a_moved_notice_and_recomputes_the_reminders(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        coming = await bot.subscriber(500, "sv")
        declined = await bot.subscriber(501, "en")
        forum_id = await bot.announced()
        await coming.press("Jag kommer", bot.api.bot_messages(500)[-1])
        await declined.press("Can't come", bot.api.bot_messages(501)[-1])
        reminders = select(Reminder).where(Reminder.audience == "attendees")
        before = sorted(r.due_at for r in await bot.scalars(reminders))

        await bot.staff_presses(ForumAdminButton(ForumAction.MOVE, forum_id))
        local = (bot.clock() + timedelta(days=20)).astimezone(ZONE)
        await bot.staff.send(local.strftime("%Y-%m-%d") + " 17:00")
        done = await bot.staff.send("19:00")
        await bot.deliver()

        progress = done[0]
        assert progress.edits >= 1, "the progress message is edited in place"
        assert "Sending to 2: 2 sent, 0 waiting" in progress.text
        assert "2 of 2 delivered" in bot.api.bot_messages(ADMIN_ID)[-1].text, "final report"
        for chat in (500, 501):
            notice = bot.api.bot_messages(chat)[-1]
            assert "17:00" in notice.text
        assert "Ny tid" in bot.api.bot_messages(500)[-1].text
        assert "New time" in bot.api.bot_messages(501)[-1].text
        pending = sorted(
            r.due_at for r in await bot.scalars(reminders.where(Reminder.status == "pending"))
        )
        forum = await bot.forum(forum_id)
        assert pending == [
            forum.starts_at - timedelta(days=7),
            forum.starts_at - timedelta(days=1),
        ]
        assert pending != before


async def test_cancelling_tells_those_invited_and_drops_the_reminders(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        user = await bot.subscriber(600, "fi")
        forum_id = await bot.announced()
        await user.press("Tulen", bot.api.bot_messages(600)[-1])

        await bot.staff_presses(ForumAdminButton(ForumAction.CANCEL, forum_id))
        await bot.staff.press("Yes, cancel it")
        await bot.deliver()

        assert "Peruttu" in bot.api.bot_messages(600)[-1].text
        assert (
            await bot.scalar(
                select(func.count()).select_from(Reminder).where(Reminder.status == "pending")
            )
            == 0
        )
        invitation = next(m for m in bot.api.bot_messages(600) if "✅ Tulen" in m.button_texts)
        late = await user.press("Tulen", invitation)
        assert late == []
        assert "peruttu" in user.answers[-1].lower()


async def test_reminders_after_downtime_are_sent_once_or_dropped_once_the_forum_started(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    api = LocalBotApi()
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        user = await bot.subscriber(700, "en")
        forum_id = await bot.announced(starts=clock() + timedelta(days=9))
        await user.press("I'll come", api.bot_messages(700)[-1])
        starts_at = (await bot.forum(forum_id)).starts_at

    clock.set(starts_at - timedelta(days=3))  # the bot was down when the 7-day one was due
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        await bot.deliver()
        await bot.deliver()
    reminders = [m for m in api.bot_messages(700) if "Reminder" in m.text]
    assert len(reminders) == 1

    clock.set(starts_at + timedelta(minutes=30))  # down again past the start: too late
    with caplog.at_level(logging.WARNING, logger="bot.forums"):
        async with started(database_url, tmp_path, api=api, clock=clock) as bot:
            await bot.deliver()
            statuses = sorted(
                r.status
                for r in await bot.scalars(
                    select(Reminder).where(Reminder.audience == "attendees")
                )
            )
    assert len([m for m in api.bot_messages(700) if "Reminder" in m.text]) == 1
    assert statuses == ["done", "dropped"]
    assert any("dropped" in r.message and "started" in r.message for r in caplog.records)


async def test_a_non_admin_cannot_create_or_publish_a_forum(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with started(database_url, tmp_path) as bot:
        forum_id = await bot.create_forum()
        intruder = bot.person(800, "en")
        menu = (await intruder.send("/start"))[-1]

        refused = await intruder.send("/newforum")
        assert "for municipal staff" in refused[-1].text
        with caplog.at_level(logging.WARNING):
            for action in (ForumAction.PUBLISH_NOW, ForumAction.PUBLISH, ForumAction.CANCEL_NOW):
                await intruder.press_data(ForumAdminButton(action, forum_id).pack(), menu)

        assert all("for municipal staff" in answer for answer in intruder.answers[-3:])
        assert (await bot.forum(forum_id)).status == "draft"
        assert await bot.scalar(select(func.count()).select_from(Outbox)) == 0
        assert await bot.scalar(select(func.count()).select_from(Conversation)) == 0
        assert any("800" in r.message and "refused" in r.message for r in caplog.records)


async def test_forged_or_stale_forum_buttons_change_nothing(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        user = await bot.subscriber(900_1, "en")
        menu = (await user.send("/start"))[-1]
        stale = (RsvpButton(999, going=True).pack(), CalendarButton(999).pack())
        for data in (*stale, "fr:x:y", "fr:1:maybe", "fi:", "fi:99999999999"):
            await user.press_data(data, menu)
            assert "no longer works" in user.answers[-1]
        assert await bot.scalar(select(func.count()).select_from(Rsvp)) == 0

        draft = await bot.create_forum()  # not published: no answers, no calendar
        for data in (RsvpButton(draft, going=True).pack(), CalendarButton(draft).pack()):
            await user.press_data(data, menu)
            assert "no longer works" in user.answers[-1]
        card = (await bot.staff.send("/start"))[-1]
        for data in ("fa:explode:1", f"fa:publish:{draft}:y", "fa:publish:-1", "fp:1"):
            await bot.staff.press_data(data, card)
            assert "no longer works" in bot.staff.answers[-1]
        await bot.staff_presses(ForumAdminButton(ForumAction.PUBLISH_NOW, 999))
        assert "no longer works" in bot.staff.answers[-1]
        assert await bot.scalar(select(func.count()).select_from(Rsvp)) == 0
        assert await bot.scalar(select(func.count()).select_from(Outbox)) == 0


async def test_the_staff_flow_survives_a_restart_and_a_wrong_answer_is_explained(
    database_url: str, tmp_path: Path
) -> None:
    clock = Clock()
    api = LocalBotApi()
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        await bot.staff.send("/newforum")
        await bot.staff.send("Dialogforum hösten")
    async with started(database_url, tmp_path, api=api, clock=clock) as bot:
        staff = bot.staff
        await staff.send("En kväll om föreningslivet.")
        wrong = await staff.send("next thursday")
        assert "could not read that" in wrong[-1].text
        start = (clock() + timedelta(days=5)).astimezone(ZONE).strftime("%Y-%m-%d")
        await staff.send(f"{start} 18:00")
        too_early = await staff.send("17:00")
        assert "end must be after the start" in too_early[-1].text
        await staff.send("20:00")
        await staff.press("Skip")  # no place
        no_place = await staff.press("Skip")  # and no link
        assert "place or an online link" in no_place[-1].text
        await staff.send("Folkets hus")
        await staff.send("https://example.se/forum")
        await staff.send("Föreningsliv")
        await staff.send("40")
        card = await staff.press("Skip")
        assert "Dialogforum hösten" in card[-1].text
        assert "40 places" in card[-1].text
        listing = await staff.send("/forums")
        assert "Draft" in listing[-1].text


async def test_staff_see_the_answers_and_can_export_them_as_csv(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        user = await bot.subscriber(1000, "so")
        forum_id = await bot.announced()
        await user.press("Waan imanayaa", bot.api.bot_messages(1000)[-1])

        card = (await bot.staff_presses(ForumAdminButton(ForumAction.CARD, forum_id)))[-1]
        assert "Coming: 1" in card.text
        await bot.staff.press("CSV", card)

        document = bot.api.bot_messages(ADMIN_ID)[-1].document
        assert document is not None
        rows = document[1].decode("utf-8-sig").splitlines()
        assert rows[0] == "telegram_id,answer,answered_at,language"
        assert rows[1].startswith("1000,going,")
        assert rows[1].endswith(",so")


async def test_a_newsletter_reaches_subscribers_in_their_language_or_in_swedish(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        english = await bot.subscriber(1100, "en")
        somali = await bot.subscriber(1101, "so")
        staff = bot.staff
        assert "staff" in (await english.send("/newsletter"))[-1].text
        await staff.send("/newsletter")
        await staff.send("Hej! Nu finns nya bidrag att söka.")
        await staff.press("Add a language")
        await staff.press("English")
        preview = await staff.send("Hello! New grants are open.")
        assert "Hello! New grants are open." in preview[-1].text
        await staff.press("Send to 2 subscribers")
        await staff.press("Yes, send it")
        await bot.deliver()

        assert "Hello! New grants are open." in bot.api.bot_messages(english.chat_id)[-1].text
        letter = bot.api.bot_messages(somali.chat_id)[-1].text
        assert "Hej! Nu finns nya bidrag att söka." in letter
        assert "Iswiidhish" in letter or "iswiidhish" in letter.lower()


async def test_a_discarded_newsletter_is_not_kept(database_url: str, tmp_path: Path) -> None:
    async with started(database_url, tmp_path) as bot:
        await bot.subscriber(1200, "en")
        await bot.staff.send("/newsletter")
        preview = await bot.staff.send("Hej! Ett utkast som aldrig skickas.")

        done = await bot.staff.press("🗑 Discard", preview[-1])
        await bot.deliver()

        assert "Nothing was sent" in done[-1].text
        assert await bot.scalar(select(func.count()).select_from(Newsletter)) == 0
        assert not any("utkast" in m.text for m in bot.api.bot_messages(1200))
