"""Telegram's HTML parse mode, checked as strictly as Telegram checks it.

The local Bot API uses this to refuse what Telegram would refuse ("can't parse entities"),
`parse` gives the entities Telegram would return with the message, and the console uses
`to_plain` to show a message as text.
"""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
        "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "span": {"class"},
    "code": {"class"},
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
_TAG = re.compile(
    r"<(?P<close>/)?(?P<name>[a-zA-Z][a-zA-Z0-9-]*)"
    r"(?P<attrs>(?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


class ParseError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's wording."""


# The message entity each tag becomes (https://core.telegram.org/bots/api#messageentity).
ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link",
    "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip


def to_plain(text: str) -> str:
    """The text a reader sees: tags removed, entities decoded. Raises `ParseError`."""
    return parse(text)[0]


def parse(text: str) -> tuple[str, list[dict[str, object]]]:
    """The text a reader sees and its message entities, as Telegram returns them (offsets
    and lengths in UTF-16 code units). Raises `ParseError`."""
    out: list[str] = []
    stack: list[str] = []
    opened: list[tuple[int, dict[str, object]]] = []
    spans: list[tuple[int, int, dict[str, object]]] = []  # offset, length, entity
    length = 0  # of the output so far, in UTF-16 code units
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if not match:
                raise ParseError(_at(text, position, "Unsupported start tag"))
            _check_tag(text, position, match, stack)
            if match.group("close"):
                start, entity = opened.pop()
                if length > start:
                    spans.append((start, length - start, entity))
            else:
                opened.append((length, _entity(match)))
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if not match:
                raise ParseError(_at(text, position, "Unsupported character entity"))
            out.append(html.unescape(match.group()))
            length += utf16_length(out[-1])
            position = match.end()
        elif char == ">":
            raise ParseError(_at(text, position, "Unexpected end tag character '>'"))
        else:
            out.append(char)
            length += utf16_length(char)
            position += 1
    if stack:
        raise ParseError(
            f"Can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    spans.sort(key=lambda span: (span[0], -span[1]))  # outer before inner, as Telegram
    return "".join(out), [{**e, "offset": o, "length": n} for o, n, e in spans]


def _entity(match: re.Match[str]) -> dict[str, object]:
    attributes = {
        attr.group(1): html.unescape(next((g for g in attr.groups()[1:] if g is not None), ""))
        for attr in _ATTR.finditer(match.group("attrs"))
    }
    entity: dict[str, object] = {"type": ENTITY_TYPES[match.group("name")]}
    if entity["type"] == "text_link":
        entity["url"] = attributes.get("href", "")
    elif entity["type"] == "custom_emoji":
        entity["custom_emoji_id"] = attributes.get("emoji-id", "")
    elif entity["type"] == "blockquote" and "expandable" in attributes:
        entity["type"] = "expandable_blockquote"
    return entity


def utf16_length(text: str) -> int:
    """Telegram counts lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _check_tag(text: str, position: int, match: re.Match[str], stack: list[str]) -> None:
    name = match.group("name")
    if name not in ALLOWED_TAGS:
        raise ParseError(_at(text, position, f'Unsupported start tag "{name}"'))
    if match.group("close"):
        if not stack or stack[-1] != name:
            raise ParseError(_at(text, position, f'Unmatched end tag "{name}"'))
        stack.pop()
        return
    for attr in _ATTR.finditer(match.group("attrs")):
        if attr.group(1) not in ALLOWED_ATTRIBUTES.get(name, set()):
            raise ParseError(_at(text, position, f'Unsupported attribute "{attr.group(1)}"'))
    stack.append(name)


def _at(text: str, position: int, problem: str) -> str:
    offset = len(text[:position].encode("utf-8"))
    return f"Can't parse entities: {problem} at byte offset {offset}"
