"""Splitting long HTML messages at paragraph, line or word boundaries, never inside a tag."""

from __future__ import annotations

from bot.telegram_html import to_plain, utf16_length

TELEGRAM_LIMIT = 4096


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Parts of `text` that each fit Telegram's limit. Paragraphs stay whole where they fit;
    a tag never spans paragraphs in our messages, so cutting between them keeps HTML valid."""
    pieces: list[str] = []
    for paragraph in text.split("\n\n"):
        if _length(paragraph) <= limit:
            pieces.append(paragraph)
        else:
            pieces.extend(_pack(_fit_lines(paragraph, limit), "\n", limit))
    return _pack(pieces, "\n\n", limit)


def _pack(pieces: list[str], separator: str, limit: int) -> list[str]:
    """Join consecutive pieces (each within `limit`) for as long as the join fits."""
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{separator}{piece}" if current else piece
        if _length(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _fit_lines(paragraph: str, limit: int) -> list[str]:
    lines: list[str] = []
    for whole in paragraph.split("\n"):
        rest = whole
        while _length(rest) > limit:
            cut = rest.rfind(" ", 0, limit // 2) if " " in rest[: limit // 2] else limit // 2
            lines.append(rest[:cut])
            rest = rest[cut:].lstrip()
        lines.append(rest)
    return lines


def _length(html: str) -> int:
    return utf16_length(to_plain(html))
