"""Every kind of button data: packed with its largest values it fits Telegram's 64 bytes and
reads back the same; what its codec never writes (forged, stale, oversized) reads as None.

The kinds are taken from the registry, so a kind added anywhere is checked here without
being named; the largest instance is built from the field types."""

from __future__ import annotations

import dataclasses
import typing
from enum import StrEnum
from typing import Any

import pytest

import bot.app  # noqa: F401  (imports every handler, and so registers every kind)
from bot.buttons import MAX_DATA_BYTES, MAX_ID, SEPARATOR, CallbackData
from bot.config import PROJECT_ROOT, SUPPORTED_LANGUAGES
from bot.content import load_pack
from handlers.entries import BrowseEntry, Commitments, Original, ShowEntry
from handlers.language import ChooseLanguage, SwitchLanguage

KINDS = CallbackData.kinds()
LONGEST_TOKEN = "x" * 40  # the longest a str field may hold


def field_types(kind: type[CallbackData]) -> list[Any]:
    hints = typing.get_type_hints(kind)
    return [hints[field.name] for field in dataclasses.fields(kind)]


def largest(field_type: Any) -> object:
    """The value of this type whose packed form is longest."""
    if field_type is bool:
        return True
    if field_type is int:
        return MAX_ID
    if field_type is str:
        return LONGEST_TOKEN
    if isinstance(field_type, type) and issubclass(field_type, StrEnum):
        return max(field_type, key=lambda member: len(member.value.encode()))
    raise AssertionError(f"a button field of type {field_type!r} has no codec")


def largest_instance(kind: type[CallbackData]) -> CallbackData:
    return kind(*(largest(t) for t in field_types(kind)))


def wrong_values(field_type: Any) -> list[str]:
    """What a field of this type never holds when its codec wrote it."""
    if field_type is bool:
        return ["", "yes", "1", "Y"]
    if field_type is int:
        return ["", str(MAX_ID + 1), str(2**63), "-1", "²", "1e3", " 1", "0x1", "\u0661"]
    if field_type is str:
        return ["", "x" * 41, "a b", "é", "<b>", "a\nb", "x\n"]
    return ["", "nope", "x" * 41]  # a StrEnum


def test_there_are_kinds_to_check() -> None:
    assert {"menu", "fb", "e", "p", "c", "o", "pl", "lang", "langsw", "pv", "mb"} <= set(KINDS)
    assert {"ho", "hs", "hc"} <= set(KINDS)
    assert {"lk", "lko", "lkm", "lkc"} <= set(KINDS)  # links, QR codes and check-in


@pytest.mark.parametrize("prefix", sorted(KINDS))
def test_the_largest_button_of_each_kind_fits_and_reads_back(prefix: str) -> None:
    kind = KINDS[prefix]
    button = largest_instance(kind)

    data = button.pack()

    assert len(data.encode()) <= MAX_DATA_BYTES
    assert kind.parse(data) == button
    assert kind.matches(data)
    assert button.pressed(data)
    assert button.button("label").data == data


@pytest.mark.parametrize("prefix", sorted(KINDS))
def test_forged_and_malformed_data_reads_as_none(prefix: str) -> None:
    kind = KINDS[prefix]
    parts = largest_instance(kind).pack().split(SEPARATOR)
    forged = [
        None,
        b"bytes",
        "",
        SEPARATOR.join(["zz" + prefix, *parts[1:]]),  # another prefix
        SEPARATOR.join([*parts, "1"]),  # a field too many
        SEPARATOR.join([prefix.upper(), *parts[1:]]) if prefix.upper() != prefix else None,
        SEPARATOR.join(parts) + "x" * MAX_DATA_BYTES,  # longer than Telegram allows
    ]
    if len(parts) > 1:
        forged.append(SEPARATOR.join(parts[:-1]))  # a field too few
    for index, field_type in enumerate(field_types(kind), start=1):
        for wrong in wrong_values(field_type):
            forged.append(SEPARATOR.join([*parts[:index], wrong, *parts[index + 1 :]]))

    for data in forged:
        assert kind.parse(data) is None, data
        assert not kind.matches(data)


def test_no_kind_reads_another_kinds_data() -> None:
    packed = {prefix: largest_instance(kind).pack() for prefix, kind in KINDS.items()}
    for prefix, kind in KINDS.items():
        for other, data in packed.items():
            assert (kind.parse(data) is not None) == (other == prefix), (prefix, data)


def test_a_button_that_would_not_fit_is_refused_when_packed() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        SwitchLanguage("x" * 60).pack()


@pytest.mark.parametrize("pack_id", ["sodertalje", "stockholm"])
def test_every_entry_of_every_pack_fits_in_an_entry_button(pack_id: str) -> None:
    pack = load_pack(pack_id, PROJECT_ROOT / "content")
    for language in SUPPORTED_LANGUAGES:
        for entry in pack.entries(language):
            for kind in (ShowEntry, BrowseEntry, Commitments, Original):
                assert kind.parse(kind(entry.id).pack()) == kind(entry.id)


def test_every_language_fits_in_a_language_button() -> None:
    for code in SUPPORTED_LANGUAGES:
        assert ChooseLanguage.parse(ChooseLanguage(code).pack()) == ChooseLanguage(code)
