"""Forums from outside the chat: a TOML file (`idebot forums add`) or the municipality's
calendar feed (`idebot forums import`, read by `bot.ical`), created or updated by UID."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forums import lifecycle, rsvp
from bot.forums.notices import ForumNotice, Staff, notify
from bot.forums.reminders import Schedule
from bot.forums.rules import AUTHORITATIVE, ForumError, ForumFields, Problem, check
from storage import forums as repo
from storage import outbox
from storage.models import Forum


@dataclass
class ImportReport:
    """Which forums an import created, changed, cancelled or left as they were."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    published: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{len(self.created)} created",
            f"{len(self.updated)} updated",
            f"{len(self.cancelled)} cancelled",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.published:
            parts.append(f"{len(self.published)} published")
        if self.problems:
            parts.append(f"{len(self.problems)} left out ({'; '.join(self.problems)})")
        return ", ".join(parts)


async def upsert(
    session: AsyncSession,
    items: Sequence[ForumFields],
    now: datetime,
    schedule: Schedule,
    *,
    publish_new: bool = False,
) -> ImportReport:
    """Create or update forums by UID. A published forum whose time changes is
    rescheduled (people are told); one cancelled in the source is cancelled here; new ones
    stay drafts for staff to publish, unless `publish_new`."""
    report = ImportReport()
    for item in items:
        try:
            fields = check(item)
        except ForumError as error:
            report.problems.append(f"{item.uid or item.titles.get(AUTHORITATIVE)}: {error}")
            continue
        existing = await repo.forum_by_uid(session, fields.uid) if fields.uid else None
        if existing is None:
            await _add(session, fields, now, schedule, report, publish=publish_new)
        elif fields.cancelled:
            await _cancel(session, existing, now, report)
        else:
            changed = await _update(session, existing, fields, now, schedule)
            (report.updated if changed else report.unchanged).append(existing.id)
    return report


async def _add(
    session: AsyncSession,
    fields: ForumFields,
    now: datetime,
    schedule: Schedule,
    report: ImportReport,
    *,
    publish: bool,
) -> None:
    if fields.cancelled:
        return  # never known here: nothing to cancel
    forum = await lifecycle.create(session, fields, None, now)
    report.created.append(forum.id)
    if publish and forum.starts_at > now:
        await lifecycle.publish(session, forum, now, schedule, Staff())
        report.published.append(forum.id)


async def _cancel(
    session: AsyncSession, forum: Forum, now: datetime, report: ImportReport
) -> None:
    if forum.status == repo.CANCELLED:
        report.unchanged.append(forum.id)
        return
    await lifecycle.cancel(session, forum, now, Staff())
    report.cancelled.append(forum.id)


async def _update(
    session: AsyncSession, forum: Forum, fields: ForumFields, now: datetime, schedule: Schedule
) -> bool:
    """A file's or feed's version of a known forum. Those concerned are told: a new time or
    a new place, or a place freed by a larger capacity. Returns whether anything changed."""
    where = (forum.place, forum.link)
    changed = _update_details(forum, fields)
    moved = (fields.starts_at, fields.ends_at) != (forum.starts_at, forum.ends_at)
    if moved and forum.status != repo.CANCELLED and fields.starts_at > now:
        await lifecycle.reschedule(
            session,
            forum,
            starts_at=fields.starts_at,
            ends_at=fields.ends_at,
            now=now,
            schedule=schedule,
            staff=Staff(),
        )  # the "moved" notice shows the place too
        changed = True
    live = forum.status == repo.PUBLISHED and forum.starts_at > now
    if live and not moved and (forum.place, forum.link) != where:
        await _tell_new_place(session, forum, now)
    if changed and live:
        await rsvp.fill_places(session, forum, now)  # the capacity may have been raised
    return changed


async def _tell_new_place(session: AsyncSession, forum: Forum, now: datetime) -> None:
    """Those invited or coming (not those who said no) hear of the new place, once."""
    await outbox.drop_pending(session, forum.id, [ForumNotice.PLACE_CHANGED])
    told = repo.told_about(forum.id, ForumNotice.ANNOUNCEMENT, declined=False)
    await notify(session, forum, ForumNotice.PLACE_CHANGED, told, now=now, staff=Staff())


def _update_details(forum: Forum, fields: ForumFields) -> bool:
    new = {
        "titles": {**forum.titles, **fields.titles},
        "descriptions": {**forum.descriptions, **fields.descriptions},
        "place": fields.place,
        "link": fields.link,
        "focus": fields.focus or forum.focus,
        "capacity": fields.capacity if fields.capacity is not None else forum.capacity,
        "deadline": fields.deadline if fields.deadline is not None else forum.deadline,
    }
    changed = {key: value for key, value in new.items() if getattr(forum, key) != value}
    for key, value in changed.items():
        setattr(forum, key, value)
    if changed:
        forum.sequence += 1
    return bool(changed)


def load_file(path: Path, zone: ZoneInfo) -> tuple[list[ForumFields], bool]:
    """Forums from a TOML file (see README), and whether to publish the new ones.
    Raises `ForumError` (`Problem.FILE`) whose detail names the forum and the problem."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ForumError(Problem.FILE, f"{path}: {error}") from None
    entries = document.get("forum")
    if not isinstance(entries, list) or not entries:
        raise ForumError(Problem.FILE, f"{path}: no [[forum]] tables")
    items = []
    for number, entry in enumerate(entries, start=1):
        try:
            items.append(check(_from_toml(entry, zone)))
        except ForumError as error:
            raise ForumError(Problem.FILE, f"{path}: forum {number}: {error}") from None
        except (KeyError, TypeError, ValueError) as error:
            detail = f"{path}: forum {number}: bad or missing {error}"
            raise ForumError(Problem.FILE, detail) from None
    return items, bool(document.get("publish", False))


def _from_toml(entry: dict[str, Any], zone: ZoneInfo) -> ForumFields:
    def when(key: str) -> datetime | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise TypeError(f"{key} (a date and time, like 2027-03-18T18:00:00)")
        return value if value.tzinfo else value.replace(tzinfo=zone)

    titles, descriptions = entry["title"], entry.get("description", {})
    if isinstance(titles, str):
        titles = {AUTHORITATIVE: titles}
    if isinstance(descriptions, str):
        descriptions = {AUTHORITATIVE: descriptions}
    starts_at, ends_at = when("start"), when("end")
    if starts_at is None or ends_at is None:
        raise KeyError("start" if starts_at is None else "end")
    return ForumFields(
        titles=dict(titles),
        descriptions=dict(descriptions),
        starts_at=starts_at,
        ends_at=ends_at,
        place=entry.get("place"),
        link=entry.get("link"),
        focus=entry.get("focus"),
        capacity=entry.get("capacity"),
        deadline=when("deadline"),
        uid=entry.get("uid"),
        cancelled=bool(entry.get("cancelled", False)),
    )
