"""Choosing a language: it is saved, and it survives a restart on the same database."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.app import build_application, running
from bot.config import Settings
from bot.context import IdeApplication
from bot.knowledge import Knowledge
from bot.local_api import LocalBotApi, LocalUser
from handlers.language import ChooseLanguage
from storage.models import User


async def test_language_choice_survives_an_application_restart(
    settings: Settings, knowledge: Knowledge
) -> None:
    api = LocalBotApi()
    async with running(build_application(settings, request=api, knowledge=knowledge)) as app:
        user = LocalUser(api, app, 42, language_code="sv")
        await user.send("/language")
        confirmation = await user.press("العربية")
        assert "العربية" in confirmation[0].text

    api_after = LocalBotApi()
    async with running(build_application(settings, request=api_after, knowledge=knowledge)) as app:
        user = LocalUser(api_after, app, 42, language_code="sv")
        replies = await user.send("/start")

    assert "مرحب" in replies[0].text
    assert "Välkommen" not in replies[0].text


async def test_the_picker_ticks_the_current_language(person: Callable[..., LocalUser]) -> None:
    user = person(language_code="fi")
    await user.send("/start")

    picker = (await user.send("/language"))[0]

    assert "✓ Suomi" in picker.button_texts


async def test_choosing_edits_the_picker_into_a_confirmation_in_the_new_language(
    person: Callable[..., LocalUser],
) -> None:
    user = person(language_code="sv")
    picker = (await user.send("/language"))[0]

    replies = await user.press("Soomaali", picker)

    assert replies[0].message_id == picker.message_id
    assert replies[0].edits == 1
    assert "Soomaali" in replies[0].text
    assert "/language" in replies[0].text


async def test_a_forged_language_is_refused_and_nothing_is_saved(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    user = person(7, language_code="en")
    picker = (await user.send("/language"))[0]

    await user.press_data(ChooseLanguage("xx").pack(), picker)
    await user.press_data(ChooseLanguage("sv-evil").pack(), picker)

    assert user.answers[-1] == "That language is not available."
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        assert await session.scalar(select(User.language).where(User.telegram_id == 7)) is None


async def test_first_contact_stores_only_what_the_bot_needs(
    app: IdeApplication, person: Callable[..., LocalUser]
) -> None:
    amal = person(8, language_code="ar", first_name="Amal")
    await amal.send("/start")
    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        assert await session.get(User, 8) is None, "writing to the bot keeps nothing"
    await amal.send("/subscribe")

    async with app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
        user = await session.get(User, 8)
    assert user is not None
    assert user.language == "ar"
    assert user.subscribed is True
    assert not hasattr(user, "first_name"), "names are not stored"
