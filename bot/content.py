"""Agreement content packs: `content/<pack>/<language>.toml`, validated at start-up.

A municipality edits these files, not code. The Swedish file is the authoritative text; every
other language must have the same entries and say that it is a translation. A broken file
stops the start with a message naming the file and the entry.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

from bot.config import PROJECT_ROOT, SUPPORTED_LANGUAGES, Language

AUTHORITATIVE: Language = "sv"
MAX_BODY = 3000

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Commitments(_Strict):
    """What each party commits to, in the source's words and order."""

    municipality: tuple[Text, ...] = ()
    sector: tuple[Text, ...] = ()
    both: tuple[Text, ...] = ()

    def by_party(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        parties = (("municipality", self.municipality), ("sector", self.sector))
        return tuple((party, items) for party, items in (*parties, ("both", self.both)) if items)


class Entry(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+(/[a-z0-9-]+)?$")]
    kind: Literal["topic", "principle"]
    title: ShortText
    body: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY)
    ]
    source: Text
    aliases: tuple[ShortText, ...] = ()
    commitments: Commitments | None = None
    # A translation's freshness: the Swedish text it was made from (`fingerprint` of the
    # Swedish entry) and whether a native speaker has reviewed it, on which day.
    made_from: str | None = None
    reviewed: bool = False
    reviewed_on: date | None = None

    @model_validator(mode="after")
    def _principles_are_named_so(self) -> Entry:
        if (self.kind == "principle") != self.id.startswith("principle/"):
            raise ValueError("principles, and only principles, have ids 'principle/<name>'")
        if self.reviewed and self.reviewed_on is None:
            raise ValueError("a reviewed translation says when: reviewed_on = YYYY-MM-DD")
        return self

    def fingerprint(self) -> str:
        """A short hash of what a reader is told (not the aliases): a translation records the
        Swedish one it was made from, so a change to the Swedish shows which are stale."""
        commitments = self.commitments.by_party() if self.commitments else ()
        told = [self.title, self.body, self.source, commitments]
        return hashlib.sha256(json.dumps(told, ensure_ascii=False).encode()).hexdigest()[:12]


class PackInfo(_Strict):
    id: Text
    language: Language
    name: ShortText
    municipality: ShortText
    document: Text
    authoritative: bool
    translation_note: str = ""
    # Words found in nearly every question (the agreement, the municipality, the sector and
    # its organisations): they say little about which entry is meant, so search weighs
    # them less. The names above count as such words too.
    common_words: tuple[ShortText, ...] = ()

    @model_validator(mode="after")
    def _translations_say_so(self) -> PackInfo:
        if not self.authoritative and not self.translation_note.strip():
            raise ValueError("a translation needs a translation_note")
        return self


class PackFile(_Strict):
    pack: PackInfo
    entries: tuple[Entry, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> PackFile:
        seen: set[str] = set()
        for entry in self.entries:
            if entry.id in seen:
                raise ValueError(f"entry id {entry.id!r} is used twice")
            seen.add(entry.id)
        return self


class ContentError(Exception):
    """A content file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Pack:
    """One agreement in every supported language."""

    id: str
    files: dict[Language, PackFile]

    def info(self, language: Language) -> PackInfo:
        return self.files[language].pack

    def entries(self, language: Language) -> tuple[Entry, ...]:
        return self.files[language].entries

    def entry(self, language: Language, entry_id: str) -> Entry | None:
        return next((e for e in self.files[language].entries if e.id == entry_id), None)

    def principles(self, language: Language) -> tuple[Entry, ...]:
        return tuple(e for e in self.files[language].entries if e.kind == "principle")

    def stale(self, language: Language, entry_id: str) -> bool:
        """Whether the Swedish entry changed since this translation of it was made."""
        if language == AUTHORITATIVE:
            return False
        source, translation = self.entry(AUTHORITATIVE, entry_id), self.entry(language, entry_id)
        if source is None or translation is None:
            return False
        return translation.made_from != source.fingerprint()


def load_pack(pack_id: str, content_dir: Path) -> Pack:
    """Read and check every language file of a pack. Raises `ContentError`."""
    folder = content_dir / pack_id
    if not folder.is_dir():
        available = sorted(p.name for p in content_dir.iterdir() if p.is_dir())
        raise ContentError(f"no content pack {pack_id!r} in {content_dir} (have: {available})")
    files = {language: load_file(folder / f"{language}.toml") for language in SUPPORTED_LANGUAGES}
    _check_consistent(folder, files)
    return Pack(pack_id, files)


def available_packs(content_dir: Path) -> list[str]:
    return sorted(p.name for p in content_dir.iterdir() if (p / f"{AUTHORITATIVE}.toml").exists())


def load_file(path: Path) -> PackFile:
    """One language file of a pack, checked. Raises `ContentError` naming the file and the
    entry."""
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise ContentError(f"{_shown(path)}: missing (every language needs its file)") from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{_shown(path)}: not valid TOML: {error}") from None
    try:
        return PackFile.model_validate(raw)
    except ValidationError as error:
        raise ContentError(f"{_shown(path)}: {_describe(raw, error)}") from None


def _describe(raw: dict[str, object], error: ValidationError) -> str:
    """Name the entry (by id, else by position) and the field of the first problem."""
    first = error.errors()[0]
    location = list(first["loc"])
    where = ".".join(str(part) for part in location) or "file"
    if len(location) >= 2 and location[0] == "entries" and isinstance(location[1], int):
        entries = raw.get("entries")
        number = location[1]
        entry_id = None
        if (
            isinstance(entries, list)
            and number < len(entries)
            and isinstance(entries[number], dict)
        ):
            entry_id = entries[number].get("id")
        field = ".".join(str(part) for part in location[2:]) or "entry"
        where = f"entry {entry_id!r} (#{number + 1}), {field}"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def _check_consistent(folder: Path, files: dict[Language, PackFile]) -> None:
    source = files[AUTHORITATIVE]
    if not source.pack.authoritative:
        raise ContentError(f"{_shown(folder / 'sv.toml')}: the Swedish text must be authoritative")
    ids = [entry.id for entry in source.entries]
    for language, file in files.items():
        path = _shown(folder / f"{language}.toml")
        if file.pack.language != language or file.pack.id != folder.name:
            raise ContentError(
                f"{path}: [pack] must say id = {folder.name!r}, language = {language!r}"
            )
        if language != AUTHORITATIVE and file.pack.authoritative:
            raise ContentError(f"{path}: only the Swedish text is authoritative")
        theirs = [entry.id for entry in file.entries]
        if theirs != ids:
            missing = sorted(set(ids) - set(theirs))
            extra = sorted(set(theirs) - set(ids))
            raise ContentError(
                f"{path}: entries differ from sv.toml (missing {missing}, extra {extra}, "
                "or another order)"
            )


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
