"""The answers to a forum as CSV, for staff."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from storage.models import Rsvp, User

HEADER = ("telegram_id", "answer", "answered_at", "language")


def attendees_csv(rows: Sequence[tuple[Rsvp, User | None]], zone: ZoneInfo) -> bytes:
    """One line per answer, in local time (UTF-8 with BOM, so spreadsheet programs read
    å, ä, ö)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for rsvp, user in rows:
        writer.writerow(
            [
                rsvp.user_id,
                rsvp.status,
                rsvp.answered_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                (user.language if user else "") or "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
