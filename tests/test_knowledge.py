"""The knowledge base without Telegram: content validation, ranking, typos, limits."""

from __future__ import annotations

import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import PROJECT_ROOT, SUPPORTED_LANGUAGES
from bot.content import ContentError, load_pack
from bot.i18n import I18n
from bot.knowledge import Knowledge, fold, normalise
from bot.telegram_html import to_plain, utf16_length
from bot.textsplit import split_message
from handlers.entries import commitments_text, entry_text

CONTENT = PROJECT_ROOT / "content"
SODERTALJE_IDS = {
    "about", "civil-society", "joining", "dialogue-forums", "development-areas",
    "organisation", "iop", "principle/long-term", "principle/openness",
    "principle/diversity", "principle/independence", "principle/dialogue",
    "principle/quality", "principle/community-development",
}  # fmt: skip


def test_the_packs_have_the_required_entries(knowledge: Knowledge) -> None:
    sodertalje = knowledge.packs["sodertalje"]
    stockholm = knowledge.packs["stockholm"]
    for language in SUPPORTED_LANGUAGES:
        assert {e.id for e in sodertalje.entries(language)} == SODERTALJE_IDS
        assert len(sodertalje.principles(language)) == 7
        assert len(stockholm.principles(language)) == 6
        assert {"about", "civil-society", "joining", "follow-up"} <= {
            e.id for e in stockholm.entries(language)
        }
        assert sodertalje.info(language).authoritative == (language == "sv")


def test_the_swedish_text_is_quoted_from_the_source() -> None:
    seed = PROJECT_ROOT.parent / "shared" / "seeds" / "003_be5e655e7911b397.txt"
    if not seed.exists():
        pytest.fail(f"the source document is missing at {seed}")
    source = " ".join(seed.read_text(encoding="utf-8").split())
    pack = load_pack("sodertalje", CONTENT)
    for entry in pack.principles("sv"):
        assert " ".join(entry.body.split()) in source, entry.id
        for _, items in entry.commitments.by_party() if entry.commitments else ():
            for item in items:
                assert " ".join(item.split()) in source, (entry.id, item)


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("sv", "hur ansöker vi om att ansluta oss till överenskommelsen", "joining"),
        ("sv", "hur ansoker vi om att ansluta oss till overenskommelsen", "joining"),  # no å/ä/ö
        ("sv", "kan vi förlora bidraget om vi kritisera kommunen", "principle/independence"),
        ("sv", "kan vi förlora bidragt om vi kritisrar kommunen", "principle/independence"),
        ("en", "what is an idéburet offentligt partnerskap", "iop"),
        ("en", "what is idburet offentligt partnerskp", "iop"),  # typos
        ("ar", "ما هي الشراكة العامة غير الربحية IOP", "iop"),
        ("fi", "miten yhdistys voi liittyä sopimukseen", "joining"),
    ],
)
def test_questions_find_the_right_entry_despite_typos_and_missing_diacritics(
    knowledge: Knowledge, language: str, question: str, expected: str
) -> None:
    result = knowledge.ask("sodertalje", language, question)  # type: ignore[arg-type]

    assert result.hits, question
    assert result.hits[0].entry.id == expected


@pytest.mark.parametrize(
    ("pack", "language", "question"),
    [
        ("sodertalje", "en", "why did the kommun make this agreement with associations"),
        ("sodertalje", "fi", "miksi kunta teki sopimuksen järjestöjen kanssa"),
        ("stockholm", "sv", "vad är stockholms överenskommelse med föreningarna"),
    ],
)
def test_the_common_words_of_a_pack_do_not_pull_a_question_away_from_the_agreement(
    knowledge: Knowledge, pack: str, language: str, question: str
) -> None:
    """Nearly every question names the agreement, the municipality and associations; the
    pack's `common_words` keep the sector entry or a neighbour from winning on those alone."""
    assert knowledge.packs[pack].info(language).common_words  # type: ignore[arg-type]
    result = knowledge.ask(pack, language, question)  # type: ignore[arg-type]

    assert result.hits[0].entry.id == "about"


@pytest.mark.parametrize(
    ("language", "question"),
    [
        ("sv", "vad blir vädret i morgon"),
        ("en", "who won the football match yesterday"),
        ("fi", "mikä on paras pizzaresepti"),
    ],
)
def test_off_topic_questions_are_not_answered_confidently(
    knowledge: Knowledge, language: str, question: str
) -> None:
    assert not knowledge.ask("sodertalje", language, question).confident  # type: ignore[arg-type]


def test_normalising_handles_arabic_variants_and_diacritics() -> None:
    assert normalise("الإتفاقية", "ar") == normalise("الاتفاقيه", "ar")
    assert fold("överenskommelse") == "overenskommelse"


def test_every_entry_fits_telegram_in_every_language(knowledge: Knowledge) -> None:
    i18n = I18n("sv", ZoneInfo("Europe/Stockholm"))
    for pack in knowledge.packs.values():
        for language in SUPPORTED_LANGUAGES:
            t = i18n.translator(language)
            for entry in pack.entries(language):
                for text in (entry_text(t, pack, entry), commitments_text(t, entry)):
                    for part in split_message(t.directional(text)):
                        assert utf16_length(to_plain(part)) <= 4096


def test_long_messages_split_at_paragraphs_into_valid_parts() -> None:
    paragraphs = [f"<b>Rubrik {n}</b>\n" + "ord &amp; " * 300 for n in range(6)]
    parts = split_message("\n\n".join(paragraphs))

    assert len(parts) > 1
    for part in parts:
        assert utf16_length(to_plain(part)) <= 4096
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)


def test_a_broken_entry_is_named_in_the_error(tmp_path: Path) -> None:
    shutil.copytree(CONTENT / "sodertalje", tmp_path / "sodertalje")
    broken = tmp_path / "sodertalje" / "fi.toml"
    text = broken.read_text(encoding="utf-8")
    start = text.index('id = "principle/dialogue"')
    broken.write_text(text[:start] + text[start:].replace("kind = ", "kinde = ", 1), "utf-8")

    with pytest.raises(ContentError) as error:
        load_pack("sodertalje", tmp_path)

    message = str(error.value)
    assert "sodertalje/fi.toml" in message
    assert "principle/dialogue" in message


def test_a_translation_missing_an_entry_is_refused(tmp_path: Path) -> None:
    shutil.copytree(CONTENT / "stockholm", tmp_path / "stockholm")
    path = tmp_path / "stockholm" / "so.toml"
    text = path.read_text(encoding="utf-8")
    cut = text.index('id = "follow-up"')
    entry_start = text.rindex("[[entries]]", 0, cut)
    entry_end = text.index("[[entries]]", cut)
    path.write_text(text[:entry_start] + text[entry_end:], "utf-8")

    with pytest.raises(ContentError, match=r"stockholm/so\.toml.*follow-up"):
        load_pack("stockholm", tmp_path)
