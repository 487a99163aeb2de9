"""The public pages over HTTP (in-process): every page in every language, the register's
privacy, unknown addresses, and escaping. The real browser check is scripts/browser-check."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from markupsafe import escape
from starlette.applications import Starlette

from bot.config import SUPPORTED_LANGUAGES
from bot.forums.rules import when
from bot.i18n import RTL_LANGUAGES, web_language_tag
from bot.web import pages
from tests.forum_helpers import Bot, started
from tests.web_samples import HOSTILE, Samples, fill


@pytest.fixture
async def bot(database_url: str, tmp_path: Path) -> AsyncIterator[Bot]:
    async with started(database_url, tmp_path) as running:
        yield running


@pytest.fixture
async def samples(bot: Bot) -> Samples:
    assert bot.app.bot_data.db is not None
    return await fill(bot.app.bot_data.db, bot.clock())


@pytest.fixture
async def client(bot: Bot) -> AsyncIterator[httpx.AsyncClient]:
    site = Starlette(routes=pages.ROUTES, exception_handlers=pages.EXCEPTION_HANDLERS)
    site.state.bot = bot.app
    transport = httpx.ASGITransport(app=site)
    async with httpx.AsyncClient(transport=transport, base_url="http://pages.test") as http:
        yield http


def html_tag(page: httpx.Response) -> str:
    found = re.search(r"<html[^>]*>", page.text)
    assert found, page.text[:200]
    return found.group(0)


def paths(samples: Samples) -> list[str]:
    return [
        "/",
        "/principles/principle/dialogue",
        "/principles/joining",
        "/forums",
        f"/forums/{samples.translated}",
        f"/forums/{samples.swedish_only}",
        f"/forums/{samples.cancelled}",
        "/register",
    ]


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
async def test_every_page_is_there_in_every_language_with_its_lang_and_direction(
    client: httpx.AsyncClient, samples: Samples, language: str
) -> None:
    direction = "rtl" if language in RTL_LANGUAGES else "ltr"
    tag = web_language_tag(language)  # easy-to-read Swedish is Swedish to a browser
    for path in paths(samples):
        page = await client.get(path, params={"lang": language})
        assert page.status_code == 200, path
        assert html_tag(page) == f'<html lang="{tag}" dir="{direction}">', path
        assert page.headers["content-language"] == tag
        assert "script-src" not in page.headers["content-security-policy"]  # none at all
        assert "<script" not in page.text
        # Every link to our own pages keeps the language.
        for href in re.findall(r'href="(/[^"]*)"', page.text):
            if not href.startswith("/static/"):
                assert "lang=" in href, (path, href)
        # One h1, a skip link first, and the landmarks.
        assert page.text.count("<h1") == 1, path
        body = page.text.split("<body>", 1)[1].lstrip()
        assert body.startswith('<a class="skip" href="#main">'), path
        for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
            assert landmark in page.text, (path, landmark)


async def test_the_language_comes_from_the_browser_when_not_chosen(
    client: httpx.AsyncClient, samples: Samples
) -> None:
    finnish = await client.get("/", headers={"Accept-Language": "de-DE, fi;q=0.8, en;q=0.5"})
    assert html_tag(finnish) == '<html lang="fi" dir="ltr">'
    weighted = await client.get("/", headers={"Accept-Language": "en;q=0.2, ar-SY;q=0.9"})
    assert html_tag(weighted) == '<html lang="ar" dir="rtl">'
    unknown = await client.get("/", headers={"Accept-Language": "de, fr;q=x"})
    assert html_tag(unknown) == '<html lang="sv" dir="ltr">'
    chosen = await client.get("/?lang=so", headers={"Accept-Language": "ar"})
    assert html_tag(chosen) == '<html lang="so" dir="ltr">'


async def test_the_agreement_shows_its_principles_and_the_swedish_original_one_link_away(
    client: httpx.AsyncClient, bot: Bot
) -> None:
    pack = bot.app.bot_data.knowledge.packs["sodertalje"]  # type: ignore[union-attr]
    home = (await client.get("/?lang=en")).text
    for principle in pack.principles("en"):
        assert f'href="/principles/{principle.id}?lang=en"' in home
        assert str(escape(principle.title)) in home
    assert pack.info("en").translation_note.split(".")[0] in home
    assert 'href="/?lang=sv" hreflang="sv"' in home
    assert 'href="https://t.me/idebot_local_bot"' in home
    # The language menu names each language in itself, in its own language.
    assert '<a href="/?lang=ar" hreflang="ar" lang="ar">العربية</a>' in home
    assert 'hreflang="fi" lang="fi">Suomi</a>' in home

    entry = (await client.get("/principles/principle/dialogue?lang=ar")).text
    assert 'href="/principles/principle/dialogue?lang=sv" hreflang="sv"' in entry
    dialogue = pack.entry("ar", "principle/dialogue")
    assert dialogue is not None
    assert str(escape(dialogue.title)) in entry
    assert dialogue.commitments is not None
    for item in dialogue.commitments.municipality:
        assert f"<li>{escape(item)}</li>" in entry
    swedish = (await client.get("/principles/principle/dialogue?lang=sv")).text
    assert "Det här är den gällande svenska texten." in swedish
    assert 'hreflang="sv">' not in swedish.split("<main", 1)[1]  # it is the original


async def test_bullet_lines_of_an_entry_are_a_list() -> None:
    found = pages.blocks("Kommunen åtar sig:\n• Att lyssna\n• Att svara\n\nSlut.")
    assert found == [
        pages.Block(text="Kommunen åtar sig:"),
        pages.Block(items=("Att lyssna", "Att svara")),
        pages.Block(text="Slut."),
    ]


async def test_forums_show_time_place_and_the_invitation_link_but_no_drafts(
    client: httpx.AsyncClient, bot: Bot, samples: Samples
) -> None:
    assert bot.app.bot_data.i18n is not None
    english = bot.app.bot_data.i18n.translator("en")
    listing = (await client.get("/forums?lang=en")).text
    assert "Dialogue forum on meeting places" in listing
    assert "Vårträff för föreningar" in listing  # only in Swedish: shown in Swedish, marked so
    assert re.search(r'<h2 id="forum-\d+" lang="sv"><a[^>]*>Vårträff', listing)
    assert "Hemligt utkast" not in listing
    assert "Inställt forum" not in listing  # cancelled: not upcoming
    assert f'href="https://t.me/idebot_local_bot?start={samples.token}"' in listing
    assert listing.count("?start=") == 1  # only the forum with a link has the button
    assert "Stadshuset, Campusgatan 26" in listing
    forum = await bot.forum(samples.translated)
    assert re.fullmatch(r"\w+day \d+ \w+ 20\d\d, \d\d:00–\d\d:30", when(english, forum))
    assert f">{when(english, forum)}</time>" in listing  # in English, in our time zone

    arabic = (await client.get(f"/forums/{samples.translated}?lang=ar")).text
    assert "منتدى الحوار حول أماكن اللقاء" in arabic
    assert "<bdi>Stadshuset, Campusgatan 26</bdi>" in arabic
    assert f"?start={samples.token}" in arabic

    cancelled = (await client.get(f"/forums/{samples.cancelled}?lang=en")).text
    assert "This forum is cancelled." in cancelled
    draft = await client.get(f"/forums/{samples.draft}?lang=en")
    assert draft.status_code == 404
    assert "Hemligt utkast" not in draft.text


async def test_the_register_lists_only_public_members_who_have_not_left(
    client: httpx.AsyncClient, samples: Samples
) -> None:
    page = (await client.get("/register?lang=en")).text
    assert "<caption>" in page
    assert page.count('<th scope="col">') == 3
    assert "Assyriska kulturföreningen" in page
    assert "جمعية الصداقة" in page
    assert "Privata vänner" not in page
    assert "Lämnade föreningen" not in page
    assert "4 organisations have signed the agreement" in page


async def test_a_hostile_name_is_shown_as_text(
    client: httpx.AsyncClient, samples: Samples
) -> None:
    page = (await client.get("/register?lang=sv")).text
    assert HOSTILE not in page
    shown = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Förening&#34; &lt;b&gt;"
    assert f'<th scope="row"><bdi>{shown}</bdi></th>' in page


@pytest.mark.parametrize("language", ["sv", "ar"])
async def test_unknown_pages_are_404_in_the_readers_language(
    client: httpx.AsyncClient, samples: Samples, language: str
) -> None:
    for path in ("/principles/principle/nothing", "/forums/999999999999", "/no/such/page"):
        page = await client.get(path, params={"lang": language})
        assert page.status_code == 404, path
        assert f'<html lang="{language}"' in page.text
        assert "<h1>" in page.text
    english = await client.get("/principles/../../etc/passwd?lang=en")
    assert english.status_code == 404
    assert "Page not found" in english.text


async def test_the_style_sheet_is_served(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/site.css")
    assert css.status_code == 200
    # Logical properties only, so that Arabic lays out right to left by itself.
    assert not re.search(r"(left|right)\s*:|-(left|right)\b", css.text)
    assert ":focus-visible" in css.text
