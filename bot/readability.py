"""LIX, the Swedish readability index: words per sentence plus the share of long words (more
than six letters) in per cent. Below 30 is easy to read, 40–50 difficult, above 50 very
difficult. Easy-to-read Swedish is held to it."""

from __future__ import annotations

import re

from bot.content import Entry

SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)|\n+")  # a list item is a sentence of its own
WORD = re.compile(r"[^\W\d_]+")
LONG_WORD = 6


def lix(text: str) -> float:
    sentences = [s for s in SENTENCE_END.split(text) if WORD.search(s)]
    words = WORD.findall(text)
    if not words:
        return 0.0
    long_words = sum(len(word) > LONG_WORD for word in words)
    return len(words) / max(1, len(sentences)) + 100 * long_words / len(words)


def entry_lix(entry: Entry) -> float:
    """What a reader of the entry reads: its text and its commitments (not the title)."""
    commitments = entry.commitments.by_party() if entry.commitments else ()
    items = [item for _, party_items in commitments for item in party_items]
    return lix("\n".join([entry.body, *items]))
