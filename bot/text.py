"""One cleaning rule for every text a person types that the bot keeps or shows to others.

Kept: every script, right-to-left included, emoji, combining marks, and the zero-width
(non-)joiners that Persian, Arabic and emoji sequences need. Removed: control characters
(NUL, escape …; a tab becomes a space), explicit direction controls (an override U+202E can
make "gpj.exe" read "exe.jpg"; Telegram lays out direction itself), invisible spaces and
joiners that only hide text (U+200B, U+2060, U+FEFF, soft hyphens), and lone surrogates
(which no database stores). The result is NFC, so "é" typed two ways is one text.
"""

from __future__ import annotations

import re
import unicodedata

DIRECTION_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = "\u00ad\u200b\u2060\ufeff"
_REMOVED = re.compile(f"[{DIRECTION_CONTROLS}{INVISIBLE}\ud800-\udfff]")


def clean_paragraphs(raw: str) -> str:
    """Lines kept, spaces within a line collapsed to one; paragraphs stay apart by one
    empty line (more are one, none at the start or end)."""
    text = unicodedata.normalize("NFC", _REMOVED.sub("", raw.replace("\t", " ")))
    lines = [" ".join("".join(c for c in line if _shown(c)).split()) for line in text.splitlines()]
    kept = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(kept).strip("\n")


def clean_line(raw: str) -> str:
    """One line: every run of whitespace, line breaks included, becomes one space."""
    return " ".join(clean_paragraphs(raw).split())


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word where one is near, marked with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def _shown(char: str) -> bool:
    return unicodedata.category(char) != "Cc"
