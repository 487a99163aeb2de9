"""The ten choices: Syriac and Persian right to left with isolated Latin values, Turkish
invitations and calendar files, easy-to-read Swedish that is easy to read, the picker for
someone whose Telegram language we do not speak, and translations that say how fresh they
are."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.cli import main
from bot.config import PROJECT_ROOT, SUPPORTED_LANGUAGES
from bot.content import ContentError, load_pack
from bot.content_status import pack_status, stamp
from bot.forums import lifecycle
from bot.forums.notices import Staff
from bot.i18n import FSI, PDI, RLM
from bot.knowledge import Analyzer
from bot.language_detection import Detector
from bot.local_api import LocalBotApi, LocalUser
from bot.readability import entry_lix
from handlers.forum_notices import CalendarButton
from storage import forums as repo
from tests.forum_helpers import started

CONTENT = PROJECT_ROOT / "content"
PACKS = ("sodertalje", "stockholm")
LATIN_TITLE = "Dialogforum Campus Telge"
ZWNJ = "\u200c"  # the zero-width non-joiner, which Persian writers use or leave out


@pytest.mark.parametrize("language", ["fa", "syr"])
async def test_right_to_left_readers_get_isolated_latin_values(
    database_url: str, tmp_path: Path, language: str
) -> None:
    async with started(database_url, tmp_path) as bot:
        reader = await bot.subscriber(7001, language)
        forum_id = await bot.announced(title=LATIN_TITLE)
        invitation = bot.api.bot_messages(reader.chat_id)[-1]
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            forum = await repo.get_forum(session, forum_id)
            assert forum is not None
            await lifecycle.cancel(session, forum, bot.clock(), Staff())
        await bot.deliver()
        cancelled = bot.api.bot_messages(reader.chat_id)[-1]

    assert invitation.text.startswith(RLM), "the message reads right to left"
    assert cancelled.text.startswith(RLM)
    assert f"{FSI}{LATIN_TITLE}{PDI}" in cancelled.text, "the Latin title keeps its order"
    if language == "fa":
        assert any(digit in cancelled.text for digit in "۰۱۲۳۴۵۶۷۸۹"), "Persian digits"


async def test_a_turkish_reader_gets_the_invitation_and_calendar_file_in_turkish(
    database_url: str, tmp_path: Path
) -> None:
    async with started(database_url, tmp_path) as bot:
        reader = await bot.subscriber(7002, "tr")
        forum_id = await bot.create_forum()
        async with bot.app.bot_data.db.transaction() as session:  # type: ignore[union-attr]
            forum = await repo.get_forum(session, forum_id)
            assert forum is not None
            lifecycle.set_text(
                forum,
                "tr",
                "Buluşma yerleri üzerine diyalog forumu",
                "Gençler için buluşma yerleri.",
            )
        await bot.publish(forum_id)
        await bot.deliver()
        invitation = bot.api.bot_messages(reader.chat_id)[-1]
        await reader.press_data(CalendarButton(forum_id).pack(), invitation)
        document = bot.api.bot_messages(reader.chat_id)[-1].document

    assert "Buluşma yerleri üzerine diyalog forumu" in invitation.text
    assert "davet" in invitation.text.casefold(), "the heading is Turkish"
    assert document is not None
    event = next(iter(Calendar.from_ical(document[1]).walk("VEVENT")))
    assert "Gençler için buluşma yerleri." in str(event["DESCRIPTION"])
    assert str(event["SUMMARY"]) == "Buluşma yerleri üzerine diyalog forumu"


async def test_someone_whose_language_we_do_not_speak_is_asked_in_every_language(
    person: Callable[..., LocalUser],
) -> None:
    stranger = person(language_code="de")

    replies = await stranger.send("/start")

    picker = replies[-1]
    lines = picker.text.splitlines()
    assert len(lines) >= 8, "a few words in each language"
    assert any("Välj" in line for line in lines)
    assert any(line.startswith(RLM) for line in lines), "right-to-left lines read so"
    buttons = [text.removeprefix("✓ ") for text in picker.button_texts]
    assert buttons[:2] == ["Svenska", "Lätt svenska"]
    assert {"ܣܘܪܝܝܐ", "Türkçe", "Kurdî (kurmancî)", "فارسی"} <= set(buttons)


async def test_choosing_syriac_gives_the_chat_a_syriac_command_menu(
    person: Callable[..., LocalUser], api: LocalBotApi
) -> None:
    reader = person(language_code="sv")
    picker = (await reader.send("/language"))[0]

    await reader.press("ܣܘܪܝܝܐ", picker)
    await reader.application.update_queue.join()  # the menu is set beside the turn
    syriac = api.commands.get((f"chat:{reader.chat_id}", ""))
    await reader.press("Svenska", (await reader.send("/language"))[0])

    assert syriac is not None
    assert syriac[0]["description"] != api.commands[("default", "sv")][0]["description"]
    assert (f"chat:{reader.chat_id}", "") not in api.commands, "Swedish: Telegram's own menu"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ܐܝܟܢܐ ܡܨܝܢܢ ܠܡܥܠ ܠܗܕܐ ܩܝܡܐ؟", "syr"),
        ("چطور انجمن ما می‌تواند به این توافق‌نامه بپیوندد؟", "fa"),
        ("كيف يمكن لجمعيتنا الانضمام إلى الاتفاقية؟", "ar"),
        ("Derneğimiz bu anlaşmaya nasıl katılabilir?", "tr"),
        ("Komeleya me çawa dikare beşdarî peymanê bibe?", "ku"),
        ("Hur kan vår förening gå med i överenskommelsen?", "sv"),
    ],
)
def test_the_new_languages_are_recognised(text: str, language: str) -> None:
    guess = Detector().guess(text)

    assert guess is not None
    assert guess[0] == language


@pytest.mark.parametrize("pack", PACKS)
def test_easy_to_read_swedish_is_easy_to_read(pack: str) -> None:
    loaded = load_pack(pack, CONTENT)
    easy = {entry.id: entry_lix(entry) for entry in loaded.entries("sv-easy")}
    original = [entry_lix(entry) for entry in loaded.entries("sv")]

    too_hard = {entry_id: round(value) for entry_id, value in easy.items() if value > 30}
    assert not too_hard, "each entry's LIX ≤ 30"
    assert sum(easy.values()) / len(easy) <= 25
    assert sum(original) / len(original) > 50, "the original is very difficult, for scale"


def test_a_changed_swedish_entry_makes_its_translations_stale(tmp_path: Path) -> None:
    shutil.copytree(CONTENT / "stockholm", tmp_path / "stockholm")
    before = pack_status(tmp_path / "stockholm")
    swedish = tmp_path / "stockholm" / "sv.toml"
    text = swedish.read_text(encoding="utf-8")
    start = text.index('id = "follow-up"')
    body = text.index('body = """', start) + len('body = """')
    swedish.write_text(text[:body] + "Ny mening först. " + text[body:], "utf-8")

    after = {row.language: row for row in pack_status(tmp_path / "stockholm")}
    pack = load_pack("stockholm", tmp_path)
    stamped = stamp(tmp_path / "stockholm", "fa")
    restamped = {row.language: row for row in pack_status(tmp_path / "stockholm")}

    assert all(not row.stale and not row.missing for row in before)
    assert {lang for lang, row in after.items() if row.stale == ("follow-up",)} == (
        set(SUPPORTED_LANGUAGES) - {"sv"}
    )
    assert pack.stale("tr", "follow-up")
    assert not pack.stale("tr", "about")
    assert stamped == len(pack.entries("sv"))
    assert restamped["fa"].stale == ()
    assert restamped["tr"].stale == ("follow-up",)


def test_a_pack_without_a_language_the_bot_offers_is_refused(tmp_path: Path) -> None:
    shutil.copytree(CONTENT / "sodertalje", tmp_path / "sodertalje")
    (tmp_path / "sodertalje" / "syr.toml").unlink()

    with pytest.raises(ContentError, match=r"sodertalje/syr\.toml.*missing"):
        load_pack("sodertalje", tmp_path)


def test_content_status_shows_nothing_missing(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["content", "status", "--brief"])

    out = capsys.readouterr().out
    assert code == 0, out
    for language in SUPPORTED_LANGUAGES:
        if language != "sv":
            assert f"  {language:8} 0 missing" in out


def test_content_status_names_a_missing_language(tmp_path: Path) -> None:
    shutil.copytree(CONTENT / "stockholm", tmp_path / "stockholm")
    (tmp_path / "stockholm" / "ku.toml").unlink()

    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "status", "--pack", "stockholm"],
        env={
            "CONTENT_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(PROJECT_ROOT),
        },
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )

    assert done.returncode == 1
    assert "ku       missing" in done.stdout


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("ku", ["komeleyên", "komeleya", "komeleyê", "komele"]),
        ("syr", ["ܟܢܘܫܬܐ", "ܟܢܘܫܬܢ", "ܘܟܢܘܫܬܐ", "ܠܟܢܘܫܬܐ"]),
        ("fa", ["انجمن" + ZWNJ + "ها", "انجمنها", "انجمن"]),  # noqa: RUF001 (Persian, not Latin)
    ],
)
def test_forms_of_a_word_meet_in_the_index(language: str, forms: list[str]) -> None:
    analyzer = Analyzer(language)

    assert len({tuple(analyzer.terms(form)) for form in forms}) == 1, forms
