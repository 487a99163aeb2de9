"""Asking in your own words: answers with sources, feedback, hand-over to the municipality."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_application, running
from bot.context import IdeApplication
from bot.knowledge import Knowledge
from bot.local_api import LocalBotApi, LocalUser
from bot.outgoing import GROUP_INTERVAL
from handlers.handover import OfferHandover
from storage.models import Question, User
from tests.conftest import ADMIN_ID, MonotonicClock, make_settings

STAFF_CHAT = -100777


@pytest.fixture
async def bot(
    tmp_path: Path, database_url: str, knowledge: Knowledge
) -> AsyncIterator[tuple[IdeApplication, LocalBotApi]]:
    api = LocalBotApi()
    settings = make_settings(
        database_url,
        tmp_path,
        contact_chat_id=STAFF_CHAT,
        contact_email="samverkan@example.se",
        contact_name="Kultur- och fritidskontoret",
    )
    async with running(build_application(settings, request=api, knowledge=knowledge)) as app:
        yield app, api


def person(bot: tuple[IdeApplication, LocalBotApi], user_id: int, language: str) -> LocalUser:
    app, api = bot
    return LocalUser(api, app, user_id, language_code=language)


async def test_an_answer_carries_its_source(bot: tuple[IdeApplication, LocalBotApi]) -> None:
    replies = await person(bot, 1, "sv").send("hur ansöker vi om att gå med i överenskommelsen?")

    answer = replies[-1]
    assert "Ansluta" in answer.text or "ansluta" in answer.text
    assert (
        "Källa: Samverkansöverenskommelse mellan idéburen sektor och Södertälje kommun"
        in answer.text
    )
    assert any("👍" in label for label in answer.button_texts)


async def test_a_question_with_a_typo_finds_the_right_entry(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    replies = await person(bot, 2, "en").send(
        "can we critisize the municipalty and keep our grant"
    )

    assert "Independence" in replies[-1].text


async def test_a_question_without_diacritics_finds_the_right_entry(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    replies = await person(bot, 3, "sv").send("far vi kritisera kommunen utan att forlora bidrag")

    assert "Självständighet och oberoende" in replies[-1].text


async def test_an_off_topic_question_is_handed_over_and_the_staff_reply_reaches_the_asker(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    app, api = bot
    asker = person(bot, 4, "ar")
    staff = LocalUser(
        api, app, ADMIN_ID, language_code="sv", chat_id=STAFF_CHAT, chat_type="supergroup"
    )

    seconds = MonotonicClock()
    app.bot_data.sender.limiter.clock = seconds  # type: ignore[union-attr]
    not_sure = (await asker.send("متى تفتح المكتبة يوم السبت؟"))[-1]
    assert "samverkan@example.se" in not_sure.text
    consent = (await asker.press("البلدية", not_sure))[-1]
    sent = (await asker.press("✅", consent))[-1]
    assert sent.message_id == consent.message_id

    forwarded = api.bot_messages(STAFF_CHAT)[-1]
    assert "متى تفتح المكتبة يوم السبت؟" in forwarded.text
    assert "4" not in forwarded.text.split("\n")[0].replace("#1", ""), "no user id for staff"

    seconds.offset += GROUP_INTERVAL  # staff take a moment to reply (a group gets 20 a minute)
    confirmation = await staff.send("Biblioteket öppnar 10:00 på lördagar.", reply_to=forwarded)

    assert "✓" in confirmation[-1].text
    relayed = api.bot_messages(4)[-1]
    assert "Biblioteket öppnar 10:00 på lördagar." in relayed.text
    assert relayed.text.startswith("\u200f"), "in the asker's language, right to left"
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        question = await session.scalar(select(Question).where(Question.user_id == 4))
    assert question is not None
    assert question.answered_at is not None


async def test_staff_talk_in_the_contact_chat_is_not_relayed(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    app, api = bot
    staff = LocalUser(api, app, ADMIN_ID, chat_id=STAFF_CHAT, chat_type="supergroup")
    note = await staff.send("fika kl 15?")

    assert await staff.send("ja!", reply_to=api.messages(STAFF_CHAT)[-1]) == []
    assert note == []


async def test_feedback_is_counted_and_only_the_asker_can_give_it(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    app, _ = bot
    asker = person(bot, 5, "en")
    answer = (await asker.send("how can our association join the agreement"))[-1]
    thumbs_up = next(b["callback_data"] for b in answer.buttons if "👍" in b["text"])

    other = person(bot, 6, "en")
    await other.send("/start")
    await other.press_data(thumbs_up, answer)
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        assert await session.scalar(select(Question.helpful).where(Question.user_id == 5)) is None

    await asker.press("👎", answer)
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        assert await session.scalar(select(Question.helpful).where(Question.user_id == 5)) is False
    assert not any("👍" in label for label in answer.button_texts), "voted: the buttons go"
    assert any("📨" in label for label in asker.api.bot_messages(5)[-1].button_texts)
    report = "\n".join(m.text for m in await person(bot, ADMIN_ID, "en").send("/gaps"))
    assert "how can our association join the agreement" in report, "👎 questions are listed"
    assert "joining (en): 👍 0 / 👎 1" in report


async def test_gaps_lists_unanswered_questions_for_staff_only(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    await person(bot, 7, "fi").send("missä on lähin uimahalli")
    await person(bot, 8, "sv").send("hur går vi med i överenskommelsen")

    refused = await person(bot, 9, "en").send("/gaps")
    assert "staff" in refused[-1].text

    report = "\n".join(m.text for m in await person(bot, ADMIN_ID, "sv").send("/gaps"))
    assert "missä on lähin uimahalli" in report
    assert "Suomi" in report
    assert "hur går vi med" not in report


async def test_a_question_clearly_in_another_language_is_answered_in_it_with_an_offer_to_switch(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    app, _ = bot
    user = person(bot, 10, "sv")
    answer = (await user.send("Miten meidän yhdistyksemme voi liittyä yhteistyösopimukseen?"))[-1]

    assert "Lähde" in answer.text
    switch = next(label for label in answer.button_texts if "Suomi" in label)
    await user.press(switch, answer)
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        assert await session.scalar(select(User.language).where(User.telegram_id == 10)) == "fi"


async def test_questions_store_no_more_than_the_user_id(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    columns = set(Question.__table__.columns.keys())
    assert not columns & {"first_name", "last_name", "username", "phone"}
    await person(bot, 11, "en").send("x" * 5000)
    app, _ = bot
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        stored = await session.scalar(select(Question.text).where(Question.user_id == 11))
    assert stored is not None
    assert len(stored) == 1000


async def test_the_answer_on_joining_offers_to_apply(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    user = person(bot, 12, "en")
    answer = (await user.send("how does our association join the agreement?"))[-1]

    form = await user.press("Apply", answer)

    assert "application" in form[0].text.lower()


async def test_not_sending_a_question_to_the_municipality_keeps_it_here(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    app, api = bot
    asker = person(bot, 13, "en")
    not_sure = (await asker.send("when does the swimming pool open on sunday?"))[-1]
    consent = (await asker.press("Ask the municipality", not_sure))[-1]

    declined = (await asker.press("Don't send", consent))[-1]

    assert declined.message_id == consent.message_id
    assert "did not send" in declined.text
    assert api.messages(STAFF_CHAT) == [], "nothing reached the contact chat"
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        question_id = await session.scalar(select(Question.id).where(Question.user_id == 13))
    stranger = person(bot, 14, "en")
    await stranger.send("/start")
    assert await stranger.press_data(OfferHandover(question_id).pack(), not_sure) == []
    assert "no longer works" in stranger.answers[-1], "only the asker can hand it over"


async def test_a_long_staff_answer_to_a_long_question_reaches_the_asker_whole(
    bot: tuple[IdeApplication, LocalBotApi],
) -> None:
    app, api = bot
    asker = person(bot, 6, "en")
    staff = LocalUser(
        api, app, ADMIN_ID, language_code="sv", chat_id=STAFF_CHAT, chat_type="supergroup"
    )
    seconds = MonotonicClock()
    app.bot_data.sender.limiter.clock = seconds  # type: ignore[union-attr]
    question = "Where can I park my bicycle at the swimming hall" + " and the library" * 60
    not_sure = (await asker.send(question))[-1]
    consent = (await asker.press("Ask the municipality", not_sure))[-1]
    await asker.press("✅", consent)
    seconds.offset += GROUP_INTERVAL
    before = len(api.bot_messages(6))

    answer = "Cykelparkering finns vid entrén. " * 105  # 3,465 characters
    confirmation = await staff.send(answer, reply_to=api.bot_messages(STAFF_CHAT)[-1])

    relayed = " ".join(m.text for m in api.bot_messages(6)[before:])
    assert "✓" in confirmation[-1].text
    assert relayed.count("Cykelparkering finns vid entrén.") == 105, "all of it, in parts"
    assert "…" in relayed, "the question quoted short"
