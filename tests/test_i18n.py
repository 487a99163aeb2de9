"""Translations, formatting and the command menus, per language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import SUPPORTED_LANGUAGES
from bot.context import IdeApplication
from bot.i18n import I18n, native_name, normalise_language
from bot.local_api import LocalBotApi
from handlers.menu import COMMANDS

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CODES = [
    ("sv", "sv"), ("en-GB", "en"), ("AR", "ar"), ("fi_FI", "fi"), ("so", "so"), ("de", None),
    ("sv-easy", "sv-easy"), ("sv-SE", "sv"), ("tr", "tr"), ("fa-IR", "fa"), ("syr", "syr"),
    ("ku", "ku"),
]  # fmt: skip


@pytest.fixture(scope="module")
def i18n() -> I18n:
    return I18n("sv", STOCKHOLM)


@pytest.mark.parametrize(
    ("code", "expected"),
    CODES,
)
def test_telegram_language_codes_map_to_supported_languages(
    code: str, expected: str | None
) -> None:
    assert normalise_language(code) == expected


def test_language_names_are_native() -> None:
    assert [native_name(code) for code in SUPPORTED_LANGUAGES] == [
        "Svenska",
        "Lätt svenska",
        "English",
        "العربية",
        "Suomi",
        "Soomaali",
        "ܣܘܪܝܝܐ",
        "Türkçe",
        "Kurdî (kurmancî)",
        "فارسی",
    ]


def test_dates_are_local_time_in_the_users_language_across_daylight_saving(i18n: I18n) -> None:
    summer = datetime(2026, 6, 15, 16, 0, tzinfo=UTC)  # 18:00 in Stockholm (CEST)
    winter = datetime(2026, 12, 15, 16, 0, tzinfo=UTC)  # 17:00 in Stockholm (CET)

    assert i18n.translator("sv").datetime(summer, "d MMMM HH:mm") == "15 juni 18:00"
    assert i18n.translator("sv").datetime(winter, "d MMMM HH:mm") == "15 december 17:00"
    assert i18n.translator("en").datetime(summer, "d MMMM HH:mm") == "15 June 18:00"
    assert "kesäkuuta" in i18n.translator("fi").datetime(summer, "long")
    assert "يونيو" in i18n.translator("ar").datetime(summer, "long")


def test_values_are_escaped_and_isolated_in_arabic(i18n: I18n) -> None:
    t = i18n.translator("ar")
    text = t.pgettext(
        "fallback",
        "I don't know the command {command}. This is what I can do:",
        command="<b>x</b>",
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in text
    assert "\u2068&lt;b&gt;" in text


def test_an_untranslated_language_falls_back_to_the_default(i18n: I18n) -> None:
    assert i18n.translator("de").language == "sv"
    assert i18n.resolve(None, "de").language == "sv"
    assert i18n.resolve("fi", "ar").language == "fi"


async def test_the_command_menu_is_published_in_every_language(
    app: IdeApplication, api: LocalBotApi
) -> None:
    """By ISO 639-1 code, as Telegram asks; easy-to-read Swedish and Syriac have none (their
    readers get a menu for their chat, see test_languages)."""
    named = [code for code in SUPPORTED_LANGUAGES if code not in ("sv-easy", "syr")]
    menus = {code: api.commands[("default", code)] for code in ("", *named)}

    for commands in menus.values():
        assert [c["command"] for c in commands] == [name for name, _ in COMMANDS]
    descriptions = {code: commands[0]["description"] for code, commands in menus.items()}
    assert len(set(descriptions.values()) - {descriptions["sv"]}) == len(named) - 1
    assert descriptions[""] == descriptions["sv"], "everyone else gets the default language"
    assert ("default", "syr") not in api.commands
