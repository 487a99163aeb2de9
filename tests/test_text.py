"""The cleaning rule for typed text, without Telegram."""

from __future__ import annotations

import pytest

from bot.text import clean_line, clean_paragraphs


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("Föreningen\u202eexe.jpg", "Föreningenexe.jpg"),  # a right-to-left override
        ("Dialog\u200bforum", "Dialogforum"),  # a zero-width space
        ("a\x00b\x1bc", "abc"),  # NUL and escape
        ("  mötes \t platser  ", "mötes platser"),
        ("Cafe\u0301", "Café"),  # NFC
        ("جمعیت\u200cها", "جمعیت\u200cها"),  # noqa: RUF001  (Persian needs its ZWNJ)
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # and an emoji family its joiners
        ("ܫܠܡܐ ܥܠܡܐ", "ܫܠܡܐ ܥܠܡܐ"),  # Syriac, as typed
        ("\ud800lone", "lone"),  # a lone surrogate no database stores
    ],
)
def test_clean_line_keeps_every_script_and_drops_what_hides_or_breaks_text(
    raw: str, kept: str
) -> None:
    assert clean_line(raw) == kept


def test_clean_paragraphs_keeps_lines_and_one_empty_line_between_paragraphs() -> None:
    assert (
        clean_paragraphs("\nHej!\r\n\r\n\n  Vi ses\u202e  i\x00 Hovsjö.\nHälsningar\n\n")
        == "Hej!\n\nVi ses i Hovsjö.\nHälsningar"
    )


def test_text_made_only_of_invisible_characters_is_empty() -> None:
    assert clean_line("\u200b \u202e\u2060\ufeff \t\n") == ""
