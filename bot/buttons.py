"""Buttons, and the data they carry: one typed codec per kind of button.

A button's data is written by `pack()` and read back by `parse()` of one small frozen
dataclass (as aiogram's `CallbackData` factories do it), so the prefix and the fields of a
kind are spelled in exactly one place. `parse()` returns None for anything that is not a
well-formed button of that kind (stale, forged, an id too large for the database), so a
handler never sees a value it has to check again. Telegram allows 64 bytes; a test packs
every kind with its largest values and checks it fits.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Self

MAX_DATA_BYTES = 64  # Telegram's limit for callback data
MAX_ID = 2**31 - 1  # the largest id every database column we use can hold
SEPARATOR = ":"
_TOKEN = re.compile(r"[A-Za-z0-9_./-]{1,40}")  # what a str field may hold (all of it)


@dataclass(frozen=True)
class Button:
    """An inline button: callback data, or a link."""

    text: str
    data: str | None = None
    url: str | None = None


Rows = Sequence[Sequence[Button]]
"""A keyboard: rows of buttons. Converted to Telegram's markup in one place, the sender."""


@dataclass(frozen=True)
class CallbackData:
    """Base of every button codec. A subclass sets `prefix` (unique, short) and declares its
    fields: `int` (an id, 0 to `MAX_ID`), `str` (letters, digits, `_ . - /`), `bool` (y/n) or
    a `StrEnum`. Fields are packed in declaration order, separated by ':'."""

    prefix: ClassVar[str]
    _registry: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        prefix = cls.__dict__.get("prefix")
        if prefix is None:
            return
        if SEPARATOR in prefix or prefix in CallbackData._registry:
            raise ValueError(f"button prefix {prefix!r} is not unique or has a ':'")
        CallbackData._registry[prefix] = cls

    def pack(self) -> str:
        parts = [self.prefix, *(_encode(getattr(self, f.name)) for f in dataclasses.fields(self))]
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_DATA_BYTES:
            raise ValueError(f"button data {data!r} is longer than {MAX_DATA_BYTES} bytes")
        return data

    def button(self, text: str) -> Button:
        return Button(text, self.pack())

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The button this data packs, or None if it is not one of this kind."""
        if not isinstance(data, str) or len(data.encode()) > MAX_DATA_BYTES:
            return None
        prefix, *values = data.split(SEPARATOR)
        fields = dataclasses.fields(cls)
        if prefix != cls.prefix or len(values) != len(fields):
            return None
        hints = typing.get_type_hints(cls)
        decoded = {}
        for field, value in zip(fields, values, strict=True):
            result = _decode(hints[field.name], value)
            if result is None:
                return None
            decoded[field.name] = result
        return cls(**decoded)

    @classmethod
    def matches(cls, data: object) -> bool:
        """For `CallbackQueryHandler(pattern=...)`: only well-formed buttons of this kind."""
        return cls.parse(data) is not None

    def pressed(self, data: object) -> bool:
        """For `CallbackQueryHandler(pattern=...)`: exactly this button."""
        return data == self.pack()

    @staticmethod
    def kinds() -> dict[str, type[CallbackData]]:
        """Every codec, by prefix (tests check each against the 64-byte limit)."""
        return dict(CallbackData._registry)


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "y" if value else "n"
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def _decode(kind: Any, value: str) -> object | None:
    if kind is bool:
        return {"y": True, "n": False}.get(value)
    if kind is int:
        return int(value) if value.isascii() and value.isdigit() and int(value) <= MAX_ID else None
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return kind(value) if value in kind._value2member_map_ else None
    if kind is str:
        return value if _TOKEN.fullmatch(value) else None
    raise TypeError(f"a button field cannot be of type {kind!r}")
