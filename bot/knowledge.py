"""Finding the passage that answers a question: BM25 over a content pack, per language.

Text is normalised (case, Arabic letter variants, diacritics), stop words are dropped and
words are stemmed with Snowball where the language has a stemmer (not Somali). A query word
that is not in the index is matched to the closest indexed word (rapidfuzz), which catches
typos and missing å/ä/ö. Three BM25 indexes are scored together: titles and aliases, one
phrase per document (precise); the text itself (broad); and character n-grams (compounds,
inflections). The best few entries are then re-weighed by how closely the question reads
like one of their phrases. The weights below were chosen on benchmarks/qa_dev.toml and
checked on the held-out benchmarks/qa_test.toml (see README, "Measured").
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache

import bm25s
import bm25s.stopwords
import numpy as np
import Stemmer
import stopwordsiso
from rapidfuzz import fuzz, process

from bot.config import SUPPORTED_LANGUAGES, Language
from bot.content import Entry, Pack
from storage.models import MAX_QUESTION

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each index build at DEBUG

# Snowball stemmers where one exists; Somali, Kurmanji and Syriac rely on character n-grams.
STEMMERS: dict[str, str] = {
    "sv": "swedish", "sv-easy": "swedish", "en": "english", "ar": "arabic", "fi": "finnish",
    "tr": "turkish", "fa": "persian",
}  # fmt: skip
WORD = re.compile(r"\w+")
ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel
ARABIC_LETTERS = str.maketrans(  # hamza forms of alef → alef; ta marbuta → ha; alef maqsura → ya
    {"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
     "\u0629": "\u0647", "\u0649": "\u064a"}
)  # fmt: skip
PERSIAN_LETTERS = str.maketrans(  # Arabic kaf and ya (as typed on Arabic keyboards) → Persian
    {"\u0643": "\u06a9", "\u064a": "\u06cc", "\u0649": "\u06cc", "\u0623": "\u0627",
     "\u0625": "\u0627", "\u0671": "\u0627", "\u200c": ""}  # and the ZWNJ, often left out
)  # fmt: skip
SYRIAC_MARKS = re.compile("[\u0730-\u074a\u0303-\u0304\u0307-\u0308\u0323-\u0325]")
FUZZY_CUTOFF = 82  # rapidfuzz ratio, 0-100: one typo in a word of six letters still matches
FUZZY_MIN_LENGTH = 4
META_WEIGHT = 1.0  # the best-matching title or alias
BODY_WEIGHT = 0.3  # the passage itself
# The same entry in the Swedish original and in English, whose words people mix into any
# language ("förening", "IOP"), and, less, in easy-to-read Swedish (everyday words, which
# off-topic questions share); not in every language, which would weigh more the more
# languages there are.
CROSS_WEIGHTS: dict[Language, float] = {"sv": 0.5, "en": 0.5, "sv-easy": 0.2}
GENERIC_WEIGHT = 0.2  # the pack's names and common words (see PackInfo), and …
COMMON_SHARE = 0.5  # … words in at least this share of the entries ("association")
SECOND_WEIGHT = 0.25  # the second-best phrase of an entry, for questions that ask two ways
RERANK_TOP = 3  # the best few are re-weighed by how closely the question reads like a phrase
RERANK_WEIGHT = 1.0
# BM25's length normalisation, lower than its usual 0.75: an alias of one or two words should
# not outweigh a longer one that shares more of the question ("ܫܘܝܘܬܐ", equality, is also
# a word for agreement).
BM25_B = 0.3
# Characters per n-gram and the n-gram index's weight beside the word indexes: Arabic
# words share three-letter roots; Finnish and Swedish compounds share longer parts.
GRAMS: dict[str, tuple[int, float]] = {
    "sv": (4, 0.1), "sv-easy": (4, 0.1), "en": (4, 0.1), "ar": (3, 0.1), "fi": (4, 0.1),
    "so": (4, 0.1), "syr": (3, 0.15), "tr": (4, 0.1), "ku": (4, 0.3), "fa": (3, 0.3),
}  # fmt: skip
# An answer is confident when the best score reaches CONFIDENT_SCORE and at least this share
# of the question's words is known to the index; below, the bot says it is not sure.
CONFIDENT_SCORE = 5.0
CONFIDENT_COVERAGE = 0.5
SEE_ALSO_SHARE = 0.35  # a further hit is worth suggesting if it scores this share of the best


# Stop words no list we use has: spoken Persian (stopwords-iso's list is the written
# language), Kurmanji (its "ku" list is Sorani, in Arabic script) and Syriac (none).
MORE_STOPWORDS: dict[str, str] = {
    "fa": "من ما تو شما اون اونا او آنها یه یک رو را هم هم‌ چی چیه چیکار چیکاره چطور چطوری "
    "چجوری کی کجا کجاست چرا آیا مگه باید میشه میشود میتونیم می‌تونیم میتونم میخوام میخوایم "
    "میخواد میخوان می‌خوام می‌خوایم می‌خواد کنیم کنم کنه کنن کردیم بکنیم بکنم داریم دارم داره "
    "دارن هست هستیم هستش است هستند بود بودیم شده شد میگه میگن گفته تو توی با به از در برای "
    "که این اون همه خیلی فقط الان اگه اگر ولی یا و هم",
    "syr": "ܡܢܐ ܡܢ ܗܝ ܗܘ ܗܕܐ ܗܢܐ ܗܠܝܢ ܥܡ ܠܡܢܐ ܥܠ ܐܢܐ ܚܢܢ ܐܢܬ ܐܢܬܝ ܐܢܬܘܢ ܗܢܘܢ ܐܢܘܢ ܐܝܬ "
    "ܠܝܬ ܠܐ ܐܢ ܐܘ ܟܠ ܐܝܟܢܐ ܐܝܟ ܐܡܬܝ ܡܢܘ ܐܝܢܐ ܐܝܢܝ ܟܡܐ ܐܦ ܐܦܢ ܒܠܚܘܕ ܬܡܢ ܗܪܟܐ ܗܫܐ ܠܢ ܠܝ "
    "ܠܗ ܠܗܿ ܠܗܘܢ ܥܡܢ ܡܢܢ ܕܝܠܢ ܕܝܠܗ ܕܝܠܝ ܗܘܐ ܗܘܬ ܗܘܝܢ ܗܘܘ ܐܠܐ ܡܛܠ ܕܠܐ ܘܠܐ ܘܐܢ ܘܡܢ ܒܝܬ ܒܝܢܬ "
    "ܟܕ ܕܝܢ ܓܝܪ ܡܕܡ ܡܨܐ ܡܨܝܢܢ ܡܨܝܐ ܒܥܐ ܒܥܝܢܢ ܐܡܪܐ",
    "ku": "ez tu ew em hûn hun ez min te wî wê me we wan vî vê van û u jî ji li bi di de re ra "
    "ku ne na ya yê yên a e ê î in im ye bû bûn heye hene tune çi kî çawa cawa çima kengê "
    "kenge ka gelo ma eger ger lê le an ji bo bo ser ber nav pê dê wê were werin dikarim "
    "dikare dikarin dixwazim dixwaze dixwazin bikim bike bikin divê dive em jî her hemû",
}


def _stopwords(language: str) -> frozenset[str]:
    builtin = {
        "sv": bm25s.stopwords.STOPWORDS_SWEDISH,
        "sv-easy": bm25s.stopwords.STOPWORDS_SWEDISH,
        "en": bm25s.stopwords.STOPWORDS_EN_PLUS,
    }
    words = builtin.get(language) or (
        stopwordsiso.stopwords(language)
        if stopwordsiso.has_lang(language) and language != "ku"
        else ()
    )
    words = [*words, *MORE_STOPWORDS.get(language, "").split()]
    return frozenset(normalise(word, language) for word in words)


def normalise(text: str, language: str) -> str:
    """Case-fold; unify Arabic-script letter variants and drop vowel marks (Arabic, Persian,
    Syriac), which people type or leave out as they please."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if language == "ar":
        text = ARABIC_MARKS.sub("", text).translate(ARABIC_LETTERS)
    elif language == "fa":
        text = ARABIC_MARKS.sub("", text).translate(PERSIAN_LETTERS)
    elif language == "syr":
        text = SYRIAC_MARKS.sub("", text)
    return text


@lru_cache(maxsize=1 << 16)  # the same few thousand words are folded again and again
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
        words = self._words(text)
        if self._stemmer:
            stemmed = self._stemmer.stemWords(words)
        elif self.language == "ku":
            stemmed = [_kurmanji_stem(word) for word in words]
        elif self.language == "syr":
            stemmed = [_syriac_stem(word) for word in words]
        else:
            stemmed = words
        return [fold(word) for word in stemmed if len(word) > 1 or word.isdigit()]

    def grams(self, text: str) -> list[str]:
        """Character n-grams of the words: they match parts of compounds and inflected forms
        ("yhteistyösopimus" shares "sopi" with "sopimus") where a stemmer cannot."""
        size = GRAMS[self.language][0]
        return [gram for word in self._words(text) for gram in _word_grams(word, size)]

    def _words(self, text: str) -> list[str]:
        words = WORD.findall(normalise(text, self.language))
        return [w for w in words if w not in self.stopwords and fold(w) not in self.stopwords]


# Kurmanji endings (ezafe, indefinite, oblique, plural), longest first: Snowball has no
# Kurmanji stemmer, and these few take "komeleyên", "komeleya", "komeleyekê" to "komele".
KURMANJI_ENDINGS = ("ekê", "ekî", "eke", "yên", "yan", "yê", "ya", "ên", "an", "ek", "ê", "a", "î")


@lru_cache(maxsize=1 << 16)
def _kurmanji_stem(word: str) -> str:
    for ending in KURMANJI_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


SYRIAC_PROCLITICS = "ܘܕܠܒ"  # and, of/that, to, in: written joined to the next word
SYRIAC_ENDINGS = ("ܝܬܐ", "ܘܬܐ", "ܝܢ", "ܬܐ", "ܬܢ", "ܐ", "ܢ", "ܗ")  # plural, state, "our", "his"


@lru_cache(maxsize=1 << 16)
def _syriac_stem(word: str) -> str:
    """Without one joined proclitic and one common ending, when enough is left: the same
    for "ܟܢܘܫܬܐ", "ܟܢܘܫܬܢ" and "ܘܠܟܢܘܫܬܐ"."""
    if len(word) > 4 and word[0] in SYRIAC_PROCLITICS:
        word = word[1:]
    for ending in SYRIAC_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


@lru_cache(maxsize=1 << 16)
def _word_grams(word: str, size: int) -> tuple[str, ...]:
    padded = f"<{fold(word)}>"
    return tuple(padded[i : i + size] for i in range(max(1, len(padded) - size + 1)))


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
    """BM25 over one pack in one language.

    Titles and aliases are indexed one phrase per document, and an entry scores as its best
    phrase: a question that matches one way of asking counts fully, however many other ways
    the entry lists. The text itself is a second, broader index. Words of the agreement's
    and the municipality's names appear in nearly every question and say little about
    which entry is meant, so they weigh less.
    """

    def __init__(self, entries: tuple[Entry, ...], analyzer: Analyzer, generic: str) -> None:
        self.entries = entries
        self.analyzer = analyzer
        phrases: list[list[str]] = []
        self._owner: list[int] = []
        for number, entry in enumerate(entries):
            for phrase in (entry.title, *entry.aliases):
                terms = analyzer.terms(phrase)
                if terms:
                    phrases.append(terms)
                    self._owner.append(number)
        body = [analyzer.terms(_passage(e)) for e in entries]
        self._grams = _bm25(
            [analyzer.grams(" ".join((e.title, *e.aliases, _passage(e)))) for e in entries]
        )
        self._phrases = _bm25(phrases)
        self._body = _bm25(body)
        self._owners = np.array(self._owner)
        self.vocabulary = sorted({term for doc in (*phrases, *body) for term in doc})
        self._known = frozenset(self.vocabulary)
        common = Counter(term for doc in body for term in set(doc))
        self._generic = frozenset(analyzer.terms(generic)) | {
            term for term, count in common.items() if count >= COMMON_SHARE * len(entries)
        }
        self._gram_vocabulary = frozenset(self._grams.vocab_dict)
        self._plain_phrases = [
            [self._plain(phrase) for phrase in (entry.title, *entry.aliases)] for entry in entries
        ]
        self._fuzzy_cache: dict[str, str | None] = {}

    def scores(self, question: str, *, primary: bool = True) -> tuple[np.ndarray, float]:
        """A score per entry, and the share of the question's words the index knows. In
        another language's index (`primary=False`) only exact word matches count."""
        terms = self.analyzer.terms(question)
        matched = [t for t in (self._match(term, primary) for term in terms) if t is not None]
        specific = [t for t in matched if t not in self._generic]
        generic = [t for t in matched if t in self._generic]
        coverage = len(matched) / len(terms) if terms else 0.0
        total = np.zeros(len(self.entries))
        # A question made only of the names ("what is the agreement?") is about them.
        generic_weight = GENERIC_WEIGHT if specific or not primary else 1.0
        for chosen, weight in ((specific, 1.0), (generic, generic_weight)):
            if not chosen:
                continue
            phrase_scores = self._phrases.get_scores(chosen)
            best = np.zeros(len(self.entries))
            np.maximum.at(best, self._owners, phrase_scores)
            if SECOND_WEIGHT:
                masked = np.where(phrase_scores >= best[self._owners], -1.0, phrase_scores)
                second = np.zeros(len(self.entries))
                np.maximum.at(second, self._owners, masked)
                best = best + SECOND_WEIGHT * np.clip(second, 0, None)
            total += weight * (META_WEIGHT * best + BODY_WEIGHT * self._body.get_scores(chosen))
        grams = [g for g in self.analyzer.grams(question) if g in self._gram_vocabulary]
        weight = GRAMS[self.analyzer.language][1]
        if grams and weight and primary:
            total += weight * self._grams.get_scores(grams) / max(1, len(grams) ** 0.5)
        return total, coverage

    def phrase_similarity(self, question: str, entry: int) -> float:
        """How closely the question reads like one of the entry's phrases (0-1)."""
        text = self._plain(question)
        return max(fuzz.partial_ratio(text, phrase) for phrase in self._plain_phrases[entry]) / 100

    def _plain(self, text: str) -> str:
        return " ".join(fold(w) for w in WORD.findall(normalise(text, self.analyzer.language)))

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
            (pack_id, language): LanguageIndex(
                pack.entries(language), analyzers[language], _generic_text(pack, language)
            )
            for pack_id, pack in packs.items()
            for language in SUPPORTED_LANGUAGES
        }
        self.build_seconds = time.perf_counter() - started

    def ask(self, pack_id: str, language: Language, question: str, limit: int = 3) -> Result:
        """The best entries for a question; only its first `MAX_QUESTION` characters count
        (what is kept of it), so no input can make a search slow."""
        question = question[:MAX_QUESTION]
        index = self._indexes[(pack_id, language)]
        scores, coverage = index.scores(question)
        for other, weight in CROSS_WEIGHTS.items():
            if other != language:
                # Entries are parallel across languages, so a Swedish term in an Arabic
                # question ("samverkansgrupp") still counts, exactly matched only.
                extra, _ = self._indexes[(pack_id, other)].scores(question, primary=False)
                scores = scores + weight * extra
        for i in np.argsort(-scores, kind="stable")[:RERANK_TOP]:
            scores[i] *= 1 + RERANK_WEIGHT * index.phrase_similarity(question, int(i))
        order = np.argsort(-scores, kind="stable")[:limit]
        hits = tuple(Hit(index.entries[i], float(scores[i])) for i in order if scores[i] > 0)
        confident = (
            bool(hits) and hits[0].score >= CONFIDENT_SCORE and coverage >= CONFIDENT_COVERAGE
        )
        return Result(question, language, confident, hits)


@cache
def _analyzer(language: str) -> Analyzer:
    return Analyzer(language)


def _generic_text(pack: Pack, language: Language) -> str:
    info = pack.info(language)
    return " ".join((info.name, info.municipality, info.document, *info.common_words))


def _passage(entry: Entry) -> str:
    parts = [entry.title, entry.body]
    if entry.commitments:
        parts.extend(item for _, items in entry.commitments.by_party() for item in items)
    return "\n".join(parts)


def _bm25(documents: list[list[str]]) -> bm25s.BM25:
    index = bm25s.BM25(b=BM25_B)
    index.index(documents, show_progress=False)
    return index
