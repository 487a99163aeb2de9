"""What is sent about a forum: the outbox kinds (each rendered by `handlers.notices`), and
broadcasts to those concerned, whose progress staff can watch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from storage import outbox
from storage.models import Broadcast, Forum


class ForumNotice(StrEnum):
    """The outbox kinds about a forum (the values are stored in `outbox.kind`)."""

    ANNOUNCEMENT = "announcement"  # the invitation, to every subscriber
    REMINDER = "reminder"
    MOVED = "moved"  # a new time
    PLACE_CHANGED = "place"
    CANCELLED = "cancelled"
    PROMOTED = "promoted"  # a place opened up for the first on the waitlist


UNSENT_WHEN_CANCELLED = (
    ForumNotice.ANNOUNCEMENT,
    ForumNotice.REMINDER,
    ForumNotice.PROMOTED,
    ForumNotice.MOVED,
    ForumNotice.PLACE_CHANGED,
)  # dropped from the outbox when the forum is cancelled


@dataclass(frozen=True)
class Staff:
    """Where a broadcast's progress is shown (None: nowhere, e.g. from the CLI)."""

    chat_id: int | None = None
    language: str | None = None


async def notify(
    session: AsyncSession,
    forum: Forum,
    kind: ForumNotice,
    recipients: Select[int],
    *,
    now: datetime,
    staff: Staff,
    payload: Mapping[str, Any] | None = None,
) -> Broadcast:
    """A broadcast about `forum` to `recipients`, one outbox row each."""
    return await outbox.broadcast_to(
        session,
        recipients,
        kind=kind,
        now=now,
        staff_chat_id=staff.chat_id,
        staff_language=staff.language,
        forum_id=forum.id,
        payload=payload,
    )
