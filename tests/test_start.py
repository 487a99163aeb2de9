"""/start, /help, the menu, and what the bot says to input it does not know."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from bot.buttons import MAX_ID
from bot.config import SUPPORTED_LANGUAGES
from bot.context import IdeApplication
from bot.i18n import FSI, PDI, RLM, native_name
from bot.local_api import LocalBotApi, LocalUser
from bot.telegram_html import to_plain
from handlers.menu import Menu
from handlers.register import MembersPage
from storage.models import Member
from tests.conftest import forged

WELCOME_WORD = {
    "sv": "Välkommen",
    "en": "Welcome",
    "ar": "مرحب",
    "fi": "Tervetuloa",
    "so": "soo dhawoow",
}


@pytest.mark.parametrize("language", sorted(WELCOME_WORD))
async def test_start_answers_in_the_language_of_telegram(
    person: Callable[..., LocalUser], language: str
) -> None:
    replies = await person(language_code=language).send("/start")

    assert len(replies) == 2, "the welcome, then (once) the question about invitations"
    assert WELCOME_WORD[language].lower() in replies[0].text.lower()
    assert len(replies[0].buttons) >= 2, "the welcome comes with the main menu"


async def test_start_in_an_unsupported_language_welcomes_in_swedish_and_offers_languages(
    person: Callable[..., LocalUser],
) -> None:
    replies = await person(language_code="de").send("/start")

    assert "Välkommen" in replies[0].text
    assert replies[-1].button_texts == [native_name(code) for code in SUPPORTED_LANGUAGES]


async def test_start_without_a_telegram_language_uses_the_default(
    person: Callable[..., LocalUser],
) -> None:
    replies = await person(language_code=None).send("/start")

    assert "Välkommen" in replies[0].text


async def test_help_lists_every_command_in_the_menu(person: Callable[..., LocalUser]) -> None:
    replies = await person(language_code="en").send("/help")

    for command in ("/start", "/principles", "/ask", "/language", "/help"):
        assert command in replies[0].text


async def test_menu_buttons_all_lead_somewhere(person: Callable[..., LocalUser]) -> None:
    """No dead buttons: every main-menu button gets an answer that is not the fallback."""
    user = person(language_code="en")
    menu = (await user.send("/start"))[0]
    for label in menu.button_texts:
        replies = await user.press(label, menu)
        assert replies, f"{label!r} did nothing"
        assert "no longer works" not in " ".join(user.answers)


async def test_unknown_command_is_answered_in_the_users_language(
    person: Callable[..., LocalUser],
) -> None:
    replies = await person(language_code="fi").send("/weather")

    assert "/weather" in replies[0].text
    assert "/help" in replies[0].text
    assert "En tunne" in replies[0].text
    assert replies[0].text != (await person(2002, "en").send("/weather"))[0].text


async def test_small_talk_gets_an_honest_answer_pointing_to_help(
    person: Callable[..., LocalUser],
) -> None:
    replies = await person(language_code="sv").send("hej, vad kan du?")

    assert "säker" in replies[0].text
    assert "/help" in replies[0].text


async def test_user_text_in_a_reply_is_escaped(person: Callable[..., LocalUser]) -> None:
    replies = await person(language_code="en").send("/<b>bold</b>&x")

    assert "<b>bold</b>" not in replies[0].html
    assert "/&lt;b&gt;bold&lt;/b&gt;&amp;x" in replies[0].html


async def test_arabic_reads_right_to_left_with_latin_isolated(
    person: Callable[..., LocalUser],
) -> None:
    replies = await person(language_code="ar").send("/Forum2026")

    assert replies[0].text.startswith(RLM)
    assert f"{FSI}/Forum2026{PDI}" in replies[0].text


async def test_command_in_a_group_points_to_a_private_chat(
    api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    member = person(3003, "sv", chat_id=-100500, chat_type="supergroup")

    replies = await member.send("/start@idebot_local_bot")

    assert len(replies) == 1
    assert replies[0].buttons[0]["url"] == "https://t.me/idebot_local_bot"


async def test_plain_text_in_a_group_is_ignored(
    api: LocalBotApi, person: Callable[..., LocalUser]
) -> None:
    member = person(3004, "sv", chat_id=-100501, chat_type="group")

    assert await member.send("hej allihop") == []


async def test_a_forged_button_changes_nothing(person: Callable[..., LocalUser]) -> None:
    user = person(language_code="en")
    menu = (await user.send("/start"))[0]

    replies = await user.press_data(forged(Menu, "delete-everything"), menu)

    assert replies == []
    assert "no longer works" in user.answers[-1]


async def test_every_message_fits_telegram(
    api: LocalBotApi, person: Callable[..., LocalUser], caplog: pytest.LogCaptureFixture
) -> None:
    """The local Bot API refuses what Telegram refuses, so any slip would log an error."""
    for number, language in enumerate(WELCOME_WORD):
        user = person(5000 + number, language)
        for text in ("/start", "/help", "/language", "/nope", "x" * 5000, "\u202eevil\u202c <i>"):
            assert await user.send(text)
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    for event in api.events:
        if event.message is not None:
            assert len(to_plain(event.message.html)) <= 4096


async def test_the_register_pages_forward_and_back_in_place(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        for n in range(23):
            session.add(
                Member(name=f"Förening {n:02d}", joined_on=date(2026, 1, 1), joined_via="forum",
                       public=True)
            )  # fmt: skip
    user = person(language_code="en")
    first = (await user.send("/members"))[-1]
    assert "23 organisations" in first.text
    assert "Page 1 of 3" in first.text
    assert first.button_texts == ["»"]

    second = (await user.press("»", first))[-1]
    assert second.message_id == first.message_id, "paging edits in place"
    assert "Page 2 of 3" in second.text
    assert second.button_texts == ["«", "»"]

    beyond = (await user.press_data(MembersPage(MAX_ID).pack(), second))[-1]
    assert "Page 3 of 3" in beyond.text, "a page past the end shows the last"
    assert beyond.button_texts == ["«"]
    assert await user.press_data(forged(MembersPage, "-1"), beyond) == []
    assert "no longer works" in user.answers[-1]
