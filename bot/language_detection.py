"""Which supported language a question is written in, when that is clear: by script first
(Syriac; Arabic or Persian), then lingua among our Latin-script languages, with Kurmanji
(which lingua does not know) told apart from Turkish by its letters and small words."""

from __future__ import annotations

import re

from lingua import Language as LinguaLanguage
from lingua import LanguageDetector, LanguageDetectorBuilder

from bot.config import SUPPORTED_LANGUAGES, Language

CLEAR = 0.9  # lingua's confidence, 0-1, above which a language counts as clear
LIKELY = 0.5  # above this it is worth trying the question in that language
MIN_LETTERS = 8  # shorter texts ("IOP?", "hej") are too short to judge
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
SYRIAC_SCRIPT = re.compile("[\u0700-\u074f]")
PERSIAN_ONLY = re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc]")  # پ چ ژ گ ک ی
ARABIC_ONLY = re.compile("[\u0629\u0643\u064a\u0649\u064b-\u0652]")  # ة ك ي ى, harakat
KURMANJI_LETTERS = re.compile("[êîûÊÎÛ]")
# Turkish dotless i, soft g, ö, ü; no IGNORECASE, which would take every i for a dotless one
TURKISH_LETTERS = re.compile("[\u0131\u011f\u00f6\u00fc\u0130\u011e\u00d6\u00dc]")
WORD = re.compile(r"[^\W\d_]+")

_LINGUA: dict[Language, LinguaLanguage] = {
    "sv": LinguaLanguage.SWEDISH,
    "en": LinguaLanguage.ENGLISH,
    "ar": LinguaLanguage.ARABIC,
    "fi": LinguaLanguage.FINNISH,
    "so": LinguaLanguage.SOMALI,
    "tr": LinguaLanguage.TURKISH,
    "fa": LinguaLanguage.PERSIAN,
}
# Small words of Kurmanji that Turkish does not share (stopwords-iso's "ku" list is Sorani,
# in Arabic script, so it cannot serve here).
_KURMANJI_WORDS = frozenset(  # none of them a word of Swedish, English, Finnish or Somali
    (
        "ez",
        "ew",
        "hûn",
        "hun",
        "wî",
        "wê",
        "çawa",
        "cawa",
        "çawan",
        "çi",
        "kî",
        "çima",
        "cima",
        "kengê",
        "kenge",
        "çend",
        "cend",
        "jî",
        "û",
        "heye",
        "hene",
        "tune",
        "nîne",
        "yê",
        "yên",
        "divê",
        "dive",
        "dikarim",
        "dikare",
        "dikarin",
        "dixwazim",
        "dixwaze",
        "dixwazin",
        "bikim",
        "bikin",
        "bibe",
        "bibin",
        "dê",
        "wek",
        "weke",
        "gelo",
    )
)


class Detector:
    """Restricted to our languages: a closed choice is more reliable than an open one.
    Easy-to-read Swedish is Swedish here; the caller keeps a reader's choice of it."""

    def __init__(self) -> None:
        wanted = [_LINGUA[code] for code in SUPPORTED_LANGUAGES if code in _LINGUA]
        self._detector: LanguageDetector = LanguageDetectorBuilder.from_languages(*wanted).build()
        self._codes: dict[LinguaLanguage, Language] = {
            lingua: code for code, lingua in _LINGUA.items()
        }

    def guess(self, text: str) -> tuple[Language, float] | None:
        """The most likely of our languages and the confidence in it (0-1)."""
        letters = sum(c.isalpha() for c in text)
        if _dominant(SYRIAC_SCRIPT, text, letters):
            return "syr", 1.0  # our only language in Syriac script
        if _dominant(ARABIC_SCRIPT, text, letters):
            return self._arabic_or_persian(text)
        if letters < MIN_LETTERS:
            return None
        if kurmanji := _kurmanji(text):
            return "ku", kurmanji
        values = self._detector.compute_language_confidence_values(text)
        if not values:
            return None
        return self._codes[values[0].language], values[0].value

    def _arabic_or_persian(self, text: str) -> tuple[Language, float]:
        persian, arabic = len(PERSIAN_ONLY.findall(text)), len(ARABIC_ONLY.findall(text))
        if persian and not arabic:
            return "fa", 1.0
        if arabic and not persian:
            return "ar", 1.0
        value = self._detector.compute_language_confidence(text, LinguaLanguage.PERSIAN)
        return ("fa", value) if value >= 0.5 else ("ar", 1.0 - value)


def _dominant(script: re.Pattern[str], text: str, letters: int) -> bool:
    return bool(script.search(text)) and len(script.findall(text)) * 2 >= letters


def _kurmanji(text: str) -> float:
    """Confidence that a Latin-script text is Kurmanji: its ê î û without Turkish letters,
    or several of its own small words; 0 when it does not look like it."""
    words = [w.casefold() for w in WORD.findall(text)]
    own = sum(w in _KURMANJI_WORDS for w in words)
    if TURKISH_LETTERS.search(text):
        return 0.0
    if KURMANJI_LETTERS.search(text) and own:
        return 0.95
    if own >= 2 and own * 4 >= len(words):
        return 0.9
    return 0.0
