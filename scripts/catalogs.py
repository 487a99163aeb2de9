"""Keep the gettext catalogs in step with the code.

    python scripts/catalogs.py update   # extract messages, merge them into every .po file
    python scripts/catalogs.py check    # fail if a catalog is stale, incomplete or broken

Messages are extracted from the Python code and from the public pages' Jinja templates.
`check` is what CI runs: every message of the code is in every catalog, translated (no empty
or fuzzy entries), with the same {placeholders}, as valid Telegram HTML, and compilable.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import SUPPORTED_LANGUAGES  # noqa: E402
from bot.i18n import DOMAIN, LOCALES_DIR, babel_locale  # noqa: E402
from bot.telegram_html import ParseError, to_plain  # noqa: E402

SOURCE_DIRS = ("bot", "handlers")
METHODS = [
    ("**.py", "python"),
    # The public pages' templates (bot/web/templates) call pgettext and npgettext too.
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
]
# As bot/web/pages.py renders them; a template that does not parse fails the extraction.
JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true", "silent": "false"}
KEYWORDS = {
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "lazy_pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def extract() -> Catalog:
    template = Catalog(project="idebot", domain=DOMAIN, charset="utf-8")
    for folder in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder,
            method_map=METHODS,
            options_map={
                pattern: JINJA_OPTIONS for pattern, method in METHODS if "jinja" in method
            },
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
        ):
            template.add(
                message,
                locations=[(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=babel_locale(language), domain=DOMAIN, project="idebot")
    with path.open("rb") as handle:
        return read_po(handle, locale=babel_locale(language), domain=DOMAIN)


def update() -> None:
    template = extract()
    for language in SUPPORTED_LANGUAGES:
        catalog = read(language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False  # the header; translators mark their own entries
        catalog.last_translator = "idebot translators"
        catalog.language_team = f"{language} <{language}@idebot>"
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=99, ignore_obsolete=True, include_previous=False)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def check() -> list[str]:
    template = extract()
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    problems: list[str] = []
    for language in SUPPORTED_LANGUAGES:
        catalog = read(language)
        have = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog if m.id}
        for msgid, context in sorted(wanted - have, key=str):
            problems.append(f"{language}: missing [{context}] {msgid!r} (run: catalogs.py update)")
        for msgid, context in sorted(have - wanted, key=str):
            problems.append(
                f"{language}: obsolete [{context}] {msgid!r} (run: catalogs.py update)"
            )
        for message in catalog:
            if message.id:
                problems.extend(f"{language}: {p}" for p in message_problems(message))
        try:
            write_mo(io.BytesIO(), catalog)
        except Exception as error:
            problems.append(f"{language}: does not compile: {error}")
    return problems


def message_problems(message: Message) -> list[str]:
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    label = f"[{message.context}] {ids[0]!r}"
    if message.fuzzy:
        return [f"fuzzy {label}"]
    if not all(strings):
        return [f"untranslated {label}"]
    wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
    problems = []
    for string in strings:
        if not set(PLACEHOLDER.findall(string)) <= wanted:
            problems.append(f"unknown placeholder in {label}: {string!r}")
        try:
            to_plain(PLACEHOLDER.sub("x", string))
        except ParseError as error:
            problems.append(f"not valid Telegram HTML in {label}: {error}")
    return problems


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "update":
        update()
        return 0
    if command == "check":
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print(f"catalogs: {len(SUPPORTED_LANGUAGES)} languages complete and up to date")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
