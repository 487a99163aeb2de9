"""Finding the passage that answers a question: BM25 over a content pack, per language.

Text is normalised (case, Arabic letter variants, diacritics), stop words are dropped and
words are stemmed with Snowball where the language has a stemmer (not Somali). A query word
that is not in the index is matched to the closest indexed word (rapidfuzz), which catches
typos and missing å/ä/ö. Two BM25 indexes are scored together: titles and aliases (short,
precise) and the text itself (long, broad).
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from functools import cache

import bm25s
import bm25s.stopwords
import numpy as np
import Stemmer
import stopwordsiso
from rapidfuzz import fuzz, process

from bot.config import SUPPORTED_LANGUAGES, Language
from bot.content import Entry, Pack

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each index build at DEBUG

STEMMERS: dict[str, str] = {"sv": "swedish", "en": "english", "ar": "arabic", "fi": "finnish"}
WORD = re.compile(r"\w+")
ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel
ARABIC_LETTERS = str.maketrans(  # hamza forms of alef → alef; ta marbuta → ha; alef maqsura → ya
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
     "\u0629": "\u0647", "\u0649": "\u064a"}
)  # fmt: skip
FUZZY_CUTOFF = 82  # rapidfuzz ratio, 0-100: one typo in a word of six letters still matches
FUZZY_MIN_LENGTH = 4
META_WEIGHT = 1.0  # titles and aliases
BODY_WEIGHT = 0.6  # the passage itself
CROSS_WEIGHT = 0.3  # the same entry in the other languages
CONFIDENT_SCORE = 2.2
CONFIDENT_COVERAGE = 0.5
SEE_ALSO_SHARE = 0.35  # a further hit is worth suggesting if it scores this share of the best


def _stopwords(language: str) -> frozenset[str]:
    builtin = {"sv": bm25s.stopwords.STOPWORDS_SWEDISH, "en": bm25s.stopwords.STOPWORDS_EN}
    words = builtin.get(language) or stopwordsiso.stopwords(language)
    return frozenset(normalise(word, language) for word in words)


def normalise(text: str, language: str) -> str:
    """Case-fold, unify Arabic letter variants and drop its vowel marks."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if language == "ar":
        text = ARABIC_MARKS.sub("", text).translate(ARABIC_LETTERS)
    return text


def fold(word: str) -> str:
    """Drop diacritics from Latin letters (å → a, ö → o) so they need not be typed."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Analyzer:
    """Turns text into index terms for one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.stopwords = _stopwords(language)
        self._stemmer = Stemmer.Stemmer(STEMMERS[language]) if language in STEMMERS else None

    def terms(self, text: str) -> list[str]:
        words = WORD.findall(normalise(text, self.language))
        kept = [w for w in words if w not in self.stopwords and fold(w) not in self.stopwords]
        stemmed = self._stemmer.stemWords(kept) if self._stemmer else kept
        return [fold(word) for word in stemmed if len(word) > 1 or word.isdigit()]


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float


@dataclass(frozen=True)
class Result:
    """The ranked entries for a question, and whether the best one is a confident answer."""

    question: str
    language: Language
    confident: bool
    hits: tuple[Hit, ...]

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def see_also(self, limit: int = 2) -> tuple[Hit, ...]:
        if not self.hits:
            return ()
        floor = self.hits[0].score * SEE_ALSO_SHARE
        return tuple(hit for hit in self.hits[1 : limit + 1] if hit.score >= floor)


class LanguageIndex:
    """BM25 over one pack in one language."""

    def __init__(self, entries: tuple[Entry, ...], analyzer: Analyzer) -> None:
        self.entries = entries
        self.analyzer = analyzer
        meta = [analyzer.terms(" ".join((e.title, e.title, *e.aliases))) for e in entries]
        body = [analyzer.terms(_passage(e)) for e in entries]
        self._meta = _bm25(meta)
        self._body = _bm25(body)
        self.vocabulary = sorted({term for doc in (*meta, *body) for term in doc})
        self._known = frozenset(self.vocabulary)
        self._fuzzy_cache: dict[str, str | None] = {}

    def scores(self, question: str, *, fuzzy: bool = True) -> tuple[np.ndarray, float]:
        """A score per entry, and the share of the question's words the index knows."""
        terms = self.analyzer.terms(question)
        matched = [t for t in (self._match(term, fuzzy) for term in terms) if t is not None]
        coverage = len(matched) / len(terms) if terms else 0.0
        if not matched:
            return np.zeros(len(self.entries)), coverage
        meta = self._meta.get_scores(matched)
        body = self._body.get_scores(matched)
        return META_WEIGHT * meta + BODY_WEIGHT * body, coverage

    def _match(self, term: str, fuzzy: bool) -> str | None:
        if term in self._known:
            return term
        if not fuzzy or len(term) < FUZZY_MIN_LENGTH:
            return None
        if term not in self._fuzzy_cache:
            found = process.extractOne(
                term, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            self._fuzzy_cache[term] = found[0] if found else None
        return self._fuzzy_cache[term]


class Knowledge:
    """One index per pack and language, built once at start-up."""

    def __init__(self, packs: dict[str, Pack]) -> None:
        started = time.perf_counter()
        self.packs = packs
        analyzers = {language: _analyzer(language) for language in SUPPORTED_LANGUAGES}
        self._indexes = {
            (pack_id, language): LanguageIndex(pack.entries(language), analyzers[language])
            for pack_id, pack in packs.items()
            for language in SUPPORTED_LANGUAGES
        }
        self.build_seconds = time.perf_counter() - started

    def ask(self, pack_id: str, language: Language, question: str, limit: int = 3) -> Result:
        index = self._indexes[(pack_id, language)]
        scores, coverage = index.scores(question)
        for other in SUPPORTED_LANGUAGES:
            if other != language:
                # Entries are parallel across languages, so a Swedish term in an Arabic
                # question ("samverkansgrupp") still counts, exactly matched only.
                extra, _ = self._indexes[(pack_id, other)].scores(question, fuzzy=False)
                scores = scores + CROSS_WEIGHT * extra
        order = np.argsort(-scores, kind="stable")[:limit]
        hits = tuple(Hit(index.entries[i], float(scores[i])) for i in order if scores[i] > 0)
        confident = (
            bool(hits) and hits[0].score >= CONFIDENT_SCORE and coverage >= CONFIDENT_COVERAGE
        )
        return Result(question, language, confident, hits)


@cache
def _analyzer(language: str) -> Analyzer:
    return Analyzer(language)


def _passage(entry: Entry) -> str:
    parts = [entry.title, entry.body]
    if entry.commitments:
        parts.extend(item for _, items in entry.commitments.by_party() for item in items)
    return "\n".join(parts)


def _bm25(documents: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25()
    index.index(documents, show_progress=False)
    return index
