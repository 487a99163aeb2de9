"""Links that open the bot from outside the chat: a `t.me` deep link carrying a token, and
its QR code for posters and the door."""

from __future__ import annotations

import io
from enum import StrEnum

import segno


class LinkKind(StrEnum):
    FORUM = "forum"  # the forum's card with its answer buttons, for anyone
    CHECKIN = "checkin"  # "I am here": counts during the forum, shown by staff at the door
    MEMBER = "member"  # connects an organisation's contact person to it
    CALENDAR = "calendar"  # a person's own calendar feed (the web server's)


def start_url(bot_username: str, token: str) -> str:
    """Telegram's deep link: opening it sends `/start <token>` to the bot."""
    return f"https://t.me/{bot_username}?start={token}"


def qr_png(url: str) -> bytes:
    """The URL as a QR code in a PNG, large enough to print and scan from across a room."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()
