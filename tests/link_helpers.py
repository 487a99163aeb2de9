"""Links as staff get them in the chat: the URL in the text, the QR code as a PNG."""

from __future__ import annotations

import io
import re

from PIL import Image

from bot.local_api import Message

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START_LINK = re.compile(r"https://t\.me/idebot_local_bot\?start=([A-Za-z0-9_-]+)")


def token_in(messages: list[Message]) -> str:
    """The token of the (last) t.me link among the bot's messages."""
    found = [m for text in (m.text for m in messages) for m in START_LINK.findall(text)]
    assert found, [m.text for m in messages]
    return found[-1]


def qr_size(messages: list[Message]) -> tuple[int, int]:
    """The size of the PNG among the bot's messages, checked to be a real PNG."""
    documents = [m.document for m in messages if m.document]
    assert len(documents) == 1, "one QR code"
    name, content, _ = documents[0]
    assert name.endswith(".png")
    assert content.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(content)) as image:
        image.verify()
    with Image.open(io.BytesIO(content)) as image:
        return image.size
