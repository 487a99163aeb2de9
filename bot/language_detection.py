"""Which supported language a question is written in, when that is clear (lingua)."""

from __future__ import annotations

import re

from lingua import Language as LinguaLanguage
from lingua import LanguageDetector, LanguageDetectorBuilder

from bot.config import SUPPORTED_LANGUAGES, Language

CLEAR = 0.9  # lingua's confidence, 0-1, above which a language counts as clear
LIKELY = 0.5  # above this it is worth trying the question in that language
MIN_LETTERS = 8  # shorter texts ("IOP?", "hej") are too short to judge
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")

_LINGUA: dict[Language, LinguaLanguage] = {
    "sv": LinguaLanguage.SWEDISH,
    "en": LinguaLanguage.ENGLISH,
    "ar": LinguaLanguage.ARABIC,
    "fi": LinguaLanguage.FINNISH,
    "so": LinguaLanguage.SOMALI,
}


class Detector:
    """Restricted to our languages: a closed choice is more reliable than an open one."""

    def __init__(self) -> None:
        self._detector: LanguageDetector = LanguageDetectorBuilder.from_languages(
            *(_LINGUA[code] for code in SUPPORTED_LANGUAGES)
        ).build()
        self._codes: dict[LinguaLanguage, Language] = {
            lingua: code for code, lingua in _LINGUA.items()
        }

    def guess(self, text: str) -> tuple[Language, float] | None:
        """The most likely of our languages and lingua's confidence in it (0-1)."""
        letters = sum(c.isalpha() for c in text)
        if ARABIC_SCRIPT.search(text) and len(ARABIC_SCRIPT.findall(text)) * 2 >= letters:
            return "ar", 1.0  # our only language in Arabic script
        if letters < MIN_LETTERS:
            return None
        values = self._detector.compute_language_confidence_values(text)
        if not values:
            return None
        return self._codes[values[0].language], values[0].value
