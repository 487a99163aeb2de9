"""How complete and how fresh each translation of a content pack is: entries missing, stale
(the Swedish changed since the translation was made) and not yet reviewed by a native
speaker. Read leniently, so that a half-written language file can still be reported on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.config import SUPPORTED_LANGUAGES, Language
from bot.content import AUTHORITATIVE, ContentError, Entry, PackFile, load_file

MADE_FROM = re.compile(r"^made_from\s*=.*\n", re.MULTILINE)
ENTRY_ID = re.compile(r'^id\s*=\s*"([^"]+)"\s*$', re.MULTILINE)


@dataclass(frozen=True)
class LanguageStatus:
    language: Language
    missing: tuple[str, ...]
    stale: tuple[str, ...]
    unreviewed: tuple[str, ...]
    problem: str = ""  # the file is absent or broken

    @property
    def complete(self) -> bool:
        return not (self.missing or self.problem)


def pack_status(folder: Path) -> list[LanguageStatus]:
    """Each supported language's state against the Swedish entries of the pack in `folder`."""
    source = _read(folder / f"{AUTHORITATIVE}.toml")
    if isinstance(source, str):
        raise ContentError(f"{folder / 'sv.toml'}: {source}")
    fingerprints = {entry.id: entry.fingerprint() for entry in source.entries}
    report = []
    for language in SUPPORTED_LANGUAGES:
        if language == AUTHORITATIVE:
            continue
        file = _read(folder / f"{language}.toml")
        if isinstance(file, str):
            report.append(LanguageStatus(language, tuple(fingerprints), (), (), file))
            continue
        have: dict[str, Entry] = {entry.id: entry for entry in file.entries}
        report.append(
            LanguageStatus(
                language,
                missing=tuple(i for i in fingerprints if i not in have),
                stale=tuple(
                    i for i, f in fingerprints.items() if i in have and have[i].made_from != f
                ),
                unreviewed=tuple(i for i in fingerprints if i in have and not have[i].reviewed),
            )
        )
    return report


def stamp(folder: Path, language: Language) -> int:
    """Record that `language`'s file was made from today's Swedish text: set every entry's
    `made_from` to the Swedish fingerprint. Run after bringing a translation up to date.
    Returns how many entries were stamped; the file is edited in place, text otherwise kept."""
    source = _read(folder / f"{AUTHORITATIVE}.toml")
    if isinstance(source, str):
        raise ContentError(f"{folder / 'sv.toml'}: {source}")
    fingerprints = {entry.id: entry.fingerprint() for entry in source.entries}
    path = folder / f"{language}.toml"
    head, *blocks = path.read_text(encoding="utf-8").split("\n[[entries]]\n")
    stamped = 0
    for number, original in enumerate(blocks):
        found = ENTRY_ID.search(original)
        if not found or found.group(1) not in fingerprints:
            continue
        block = MADE_FROM.sub("", original)
        after_id = block.index("\n", block.index(found.group(0))) + 1
        line = f'made_from = "{fingerprints[found.group(1)]}"\n'
        blocks[number] = block[:after_id] + line + block[after_id:]
        stamped += 1
    path.write_text("\n[[entries]]\n".join([head, *blocks]), encoding="utf-8")
    return stamped


def _read(path: Path) -> PackFile | str:
    """The file as the bot loads it, or what is wrong with it."""
    if not path.exists():
        return "missing"
    try:
        return load_file(path)
    except ContentError as error:
        return f"broken: {error}"
