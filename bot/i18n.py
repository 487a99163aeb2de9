"""Interface translations (gettext catalogs via Babel) and locale-aware formatting.

The `.po` files in `locales/` are the only artefact: they are compiled in memory at start-up,
so a stale or missing `.mo` file can never show users an old text.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from bot.config import PROJECT_ROOT, SUPPORTED_LANGUAGES, Language

log = logging.getLogger(__name__)

DOMAIN = "messages"
LOCALES_DIR = PROJECT_ROOT / "locales"
RTL_LANGUAGES = frozenset({"ar", "fa", "syr"})
# Babel's locale for each of our languages that is not one itself.
BABEL_LOCALES = {"sv-easy": "sv"}
EASY_SWEDISH = "sv-easy"
# Digits as CLDR writes them where they are not Latin ones (Persian: ۰۱۲ …).
NATIVE_DIGITS = {"fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")}
RLM = "\u200f"  # right-to-left mark: sets a message's base direction in Telegram's clients
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: keeps a Latin name or number in place


class LazyText(NamedTuple):
    """A message marked for translation where no locale is known yet (e.g. module constants)."""

    context: str
    message: str


def lazy_pgettext(context: str, message: str) -> LazyText:
    """Mark a message for extraction; translate it later with `Translator.lazy`."""
    return LazyText(context, message)


def normalise_language(code: str | None) -> Language | None:
    """Map a saved choice ("sv-easy") or a Telegram `language_code` such as `en-GB` or `SV`
    to a supported language."""
    if not code:
        return None
    code = code.replace("_", "-").lower()
    base = code.split("-", 1)[0]
    for language in SUPPORTED_LANGUAGES:
        if language == code:
            return language
    for language in SUPPORTED_LANGUAGES:
        if language == base:
            return language
    return None


def babel_locale(language: str) -> Locale:
    """The CLDR locale that formats dates and numbers for one of our languages."""
    return Locale.parse(BABEL_LOCALES.get(language, language))


def native_name(language: str) -> str:
    """The language's name in itself, from CLDR ("svenska" → "Svenska", "العربية");
    easy-to-read Swedish is "Lätt svenska"."""
    if language == EASY_SWEDISH:
        return "Lätt svenska"
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def web_language_tag(language: str) -> str:
    """The BCP 47 tag for a page's `lang` attribute (easy-to-read Swedish is Swedish)."""
    return BABEL_LOCALES.get(language, language)


@dataclass(frozen=True)
class Translator:
    """Translations and formatting bound to one language, for one update."""

    language: Language
    translations: NullTranslations
    zone: ZoneInfo

    @property
    def rtl(self) -> bool:
        return self.language in RTL_LANGUAGES

    @property
    def locale(self) -> Locale:
        return babel_locale(self.language)

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        """Translate an HTML message template and fill in values, HTML-escaped."""
        return self._fill(str(self.translations.pgettext(context, message)), message, values)

    def npgettext(
        self, context: str, singular: str, plural: str, n: int, /, **values: object
    ) -> str:
        """Like `pgettext`, choosing the plural form for `n` (available as `{n}`)."""
        template = str(self.translations.npgettext(context, singular, plural, n))
        return self._fill(template, singular if n == 1 else plural, {"n": n, **values})

    def lazy(self, text: LazyText) -> str:
        return self.pgettext(text.context, text.message)

    def date(self, value: dt.date, fmt: str = "medium") -> str:
        return self.digits(format_date(value, fmt, locale=self.locale))

    def datetime(self, value: dt.datetime, fmt: str = "medium") -> str:
        """A date and time in this locale, in the municipality's time zone."""
        return self.digits(format_datetime(value, fmt, tzinfo=self.zone, locale=self.locale))

    def digits(self, text: str) -> str:
        """Latin digits written as this language writes them (Persian digits for Persian)."""
        table = NATIVE_DIGITS.get(self.language)
        return text.translate(table) if table else text

    def directional(self, text: str) -> str:
        """Give a whole message the base direction of its language."""
        return RLM + text if self.rtl and not text.startswith(RLM) else text

    def _fill(self, template: str, fallback: str, values: dict[str, object]) -> str:
        if not values:
            return template
        safe = {key: self._isolate(escape(self._number(value))) for key, value in values.items()}
        try:
            return str(Markup(template).format(**safe))  # noqa: S704  (catalog texts are trusted)
        except (KeyError, IndexError, ValueError):
            log.warning("broken placeholder in %s translation of %r", self.language, fallback)
            return str(Markup(fallback).format(**safe))  # noqa: S704

    def _number(self, value: object) -> object:
        is_count = isinstance(value, int) and not isinstance(value, bool)
        return self.digits(str(value)) if is_count else value

    def _isolate(self, value: Markup) -> Markup:
        return Markup(FSI) + value + Markup(PDI) if self.rtl else value  # noqa: S704


class I18n:
    """All catalogs, loaded once; hands out a `Translator` per language."""

    def __init__(self, default: Language, zone: ZoneInfo, locales_dir: Path = LOCALES_DIR) -> None:
        self.default = default
        self.zone = zone
        self._catalogs = {lang: load_catalog(locales_dir, lang) for lang in SUPPORTED_LANGUAGES}

    def translator(self, language: str | None) -> Translator:
        chosen = normalise_language(language) or self.default
        return Translator(chosen, self._catalogs[chosen], self.zone)

    def resolve(self, saved: str | None, telegram_code: str | None) -> Translator:
        """The user's saved choice, else Telegram's language, else the default."""
        return self.translator(
            normalise_language(saved) or normalise_language(telegram_code) or self.default
        )


def load_catalog(locales_dir: Path, language: str) -> NullTranslations:
    """Compile `locales/<language>/LC_MESSAGES/messages.po` in memory (fuzzy entries left out)."""
    po_path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        log.warning("no catalog for %s at %s; showing English source texts", language, po_path)
        return NullTranslations()
    stat = po_path.stat()
    return _compile(po_path, language, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _compile(po_path: Path, language: str, _mtime_ns: int, _size: int) -> Translations:
    """Once per version of the file: an application that starts again (tests start hundreds)
    reuses it; an edited file is compiled anew."""
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=babel_locale(language), domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)
