"""Browsing the principles: list, text with source, commitments by party, back again."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.knowledge import Knowledge
from bot.local_api import LocalBotApi, LocalUser
from handlers.entries import BrowseEntry, Commitments
from tests.conftest import make_settings


async def test_browsing_in_swedish_reads_a_principle_and_its_commitments(
    person: Callable[..., LocalUser],
) -> None:
    user = person(language_code="sv")
    listing = (await user.send("/principles"))[0]
    assert len(listing.buttons) == 7
    assert listing.button_texts[0] == "Långsiktighet"

    principle = (await user.press("Långsiktighet", listing))[0]
    assert principle.message_id == listing.message_id, "browsing edits in place"
    assert "Gemensamma och långsiktiga visioner" in principle.text
    assert "Källa" in principle.text
    assert "Visa svenska originalet" not in " ".join(principle.button_texts), "already Swedish"

    commitments = (await user.press("Åtaganden", principle))[0]
    assert "Att se till att samverkansöverenskommelsen följs upp årligen" in commitments.text
    for heading in ("Kommunen", "Idéburen sektor", "Båda parter"):
        assert heading in commitments.text

    back = (await user.press("Tillbaka", commitments))[0]
    assert "Gemensamma och långsiktiga visioner" in back.text
    again = (await user.press("Alla principer", back))[0]
    assert len(again.buttons) == 7


async def test_browsing_in_arabic_offers_the_swedish_original(
    person: Callable[..., LocalUser],
) -> None:
    user = person(language_code="ar")
    listing = (await user.send("/principles"))[0]
    principle = (await user.press(listing.button_texts[3], listing))[0]
    assert principle.text.startswith("\u200f")
    original_label = next(b for b in principle.button_texts if "السويدي" in b)

    original = await user.press(original_label, principle)

    assert "Den idéburna sektorns naturliga roll som röstbärare" in original[-1].text


@pytest.fixture
async def stockholm_user(
    tmp_path: Path, database_url: str, knowledge: Knowledge
) -> AsyncIterator[LocalUser]:
    api = LocalBotApi()
    settings = make_settings(database_url, tmp_path, content_pack="stockholm")
    async with running(build_application(settings, request=api, knowledge=knowledge)) as app:
        yield LocalUser(api, app, 77, language_code="en")


async def test_the_stockholm_pack_has_six_principles(stockholm_user: LocalUser) -> None:
    listing = (await stockholm_user.send("/principles"))[0]

    assert len(listing.buttons) == 6
    assert "6 principles" in listing.text


async def test_a_forged_entry_button_is_refused(person: Callable[..., LocalUser]) -> None:
    user = person(language_code="en")
    listing = (await user.send("/principles"))[0]

    assert await user.press_data(BrowseEntry("principle/../../etc").pack(), listing) == []
    assert await user.press_data(Commitments("nope").pack(), listing) == []
    assert "no longer works" in user.answers[-1]
