"""Dialogue forums: create, publish, answer (with capacity and a waitlist), reschedule,
cancel, remind. Everything sent to many people is written to the outbox in the same
transaction as the change that causes it; the delivery worker sends it.

Plain values in, plain values out; times are aware datetimes (stored in UTC, shown and
entered in the municipality's time zone)."""

from __future__ import annotations

import csv
import io
import logging
import re
import tomllib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage import forums as repo
from storage import outbox
from storage.forums import CANCELLED, DRAFT, GOING, NOT_GOING, PUBLISHED, WAITLIST
from storage.models import Broadcast, Forum, Rsvp

log = logging.getLogger(__name__)

AUTHORITATIVE = "sv"  # a forum's Swedish text is required; other languages fall back to it
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
UID_DOMAIN = "idebot.local"

# Kinds of outbox rows about forums.
ANNOUNCEMENT, REMINDER, MOVED, PLACE_CHANGED, CANCELLED_NOTICE, PROMOTED = (
    "announcement",
    "reminder",
    "moved",
    "place",
    "cancelled",
    "promoted",
)


class ForumError(ValueError):
    """A forum that cannot be saved; `code` names the problem (handlers translate it)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ForumFields:
    """What staff give for a forum (from the guided flow, a file, or a calendar feed)."""

    titles: dict[str, str]
    descriptions: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    place: str | None = None
    link: str | None = None
    focus: str | None = None
    capacity: int | None = None
    deadline: datetime | None = None
    uid: str | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class Schedule:
    """When reminders go out and to whom (from the settings)."""

    offsets: tuple[timedelta, ...] = (timedelta(days=7), timedelta(days=1))
    audience: str = "attendees"  # or "subscribers"


@dataclass(frozen=True)
class Staff:
    """Where a broadcast's progress is shown (None: nowhere, e.g. from the CLI)."""

    chat_id: int | None = None
    language: str | None = None


def check(fields: ForumFields) -> ForumFields:
    """The fields, tidied; raises `ForumError` naming the first problem."""
    titles = {k: v.strip() for k, v in fields.titles.items() if v and v.strip()}
    descriptions = {k: v.strip() for k, v in fields.descriptions.items() if v and v.strip()}
    if AUTHORITATIVE not in titles:
        raise ForumError("title_sv")
    if any(len(title) > MAX_TITLE for title in titles.values()):
        raise ForumError("title_long")
    if any(len(text) > MAX_DESCRIPTION for text in descriptions.values()):
        raise ForumError("description_long")
    if fields.ends_at <= fields.starts_at:
        raise ForumError("end_before_start")
    if not (fields.place or fields.link):
        raise ForumError("no_place")
    if fields.link and not re.match(r"^https?://\S+$", fields.link):
        raise ForumError("link")
    if fields.capacity is not None and fields.capacity < 1:
        raise ForumError("capacity")
    if fields.deadline is not None and fields.deadline > fields.starts_at:
        raise ForumError("deadline")
    return replace(fields, titles=titles, descriptions=descriptions)


def text_in(forum: Forum, language: str) -> tuple[str, str, bool]:
    """Title and description in `language`, else Swedish; True when it fell back."""
    if language in forum.titles:
        return forum.titles[language], forum.descriptions.get(language, ""), False
    return (
        forum.titles.get(AUTHORITATIVE, ""),
        forum.descriptions.get(AUTHORITATIVE, ""),
        language != AUTHORITATIVE,
    )


# -- creating and changing ------------------------------------------------------------------------


async def create(
    session: AsyncSession, fields: ForumFields, created_by: int | None, now: datetime
) -> Forum:
    fields = check(fields)
    forum = Forum(
        uid=fields.uid or f"forum-{uuid.uuid4().hex}@{UID_DOMAIN}",
        titles=fields.titles,
        descriptions=fields.descriptions,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        place=fields.place,
        link=fields.link,
        focus=fields.focus,
        capacity=fields.capacity,
        deadline=fields.deadline,
        status=DRAFT,
        sequence=0,
        created_by=created_by,
        created_at=now,
    )
    return await repo.add_forum(session, forum)


def set_text(forum: Forum, language: str, title: str, description: str) -> None:
    """Add or replace the title and description in one language."""
    if not title.strip() or len(title) > MAX_TITLE or len(description) > MAX_DESCRIPTION:
        raise ForumError("title_long" if title.strip() else "title_sv")
    forum.titles = {**forum.titles, language: title.strip()}
    forum.descriptions = {**forum.descriptions, language: description.strip()}
    forum.sequence += 1


async def publish(
    session: AsyncSession, forum: Forum, now: datetime, schedule: Schedule, staff: Staff
) -> Broadcast:
    """Announce the forum to every subscriber (in their language, when delivered) and
    schedule its reminders."""
    if forum.status != DRAFT:
        raise ForumError("not_draft")
    if forum.starts_at <= now:
        raise ForumError("in_the_past")
    forum.status, forum.published_at = PUBLISHED, now
    broadcast = await outbox.broadcast_to(
        session,
        repo.subscribers(),
        kind=ANNOUNCEMENT,
        now=now,
        staff_chat_id=staff.chat_id,
        staff_language=staff.language,
        forum_id=forum.id,
    )
    await _schedule_reminders(session, forum, now, schedule)
    log.info("forum %s published to %d subscribers", forum.id, broadcast.total)
    return broadcast


async def reschedule(
    session: AsyncSession,
    forum: Forum,
    *,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    schedule: Schedule,
    staff: Staff,
) -> Broadcast | None:
    """Move the forum; a published one gets new reminders and a "moved" notice to everyone
    who was invited or answered (also those who could not come at the old time)."""
    if forum.status == CANCELLED:
        raise ForumError("cancelled")
    if ends_at <= starts_at:
        raise ForumError("end_before_start")
    if starts_at <= now:
        raise ForumError("in_the_past")
    if (starts_at, ends_at) == (forum.starts_at, forum.ends_at):
        return None
    old_start = forum.starts_at
    forum.starts_at, forum.ends_at = starts_at, ends_at
    if forum.deadline is not None and forum.deadline > starts_at:
        forum.deadline = starts_at
    forum.sequence += 1
    if forum.status != PUBLISHED:
        return None
    await repo.drop_pending_reminders(session, forum.id)
    await outbox.drop_pending(session, forum.id, [REMINDER])
    await _schedule_reminders(session, forum, now, schedule)
    return await _notify(
        session,
        forum,
        kind=MOVED,
        recipients=repo.told_about(forum.id, declined=True),
        now=now,
        staff=staff,
        payload={"old_start": old_start.isoformat()},
    )


async def cancel(
    session: AsyncSession, forum: Forum, now: datetime, staff: Staff
) -> Broadcast | None:
    """Cancel: reminders and unsent invitations are dropped, and everyone invited or coming
    is told."""
    if forum.status == CANCELLED:
        raise ForumError("cancelled")
    was_published = forum.status == PUBLISHED
    forum.status = CANCELLED
    forum.sequence += 1
    await repo.drop_pending_reminders(session, forum.id)
    if not was_published:
        return None
    await outbox.drop_pending(
        session, forum.id, [ANNOUNCEMENT, REMINDER, PROMOTED, MOVED, PLACE_CHANGED]
    )
    return await _notify(
        session,
        forum,
        kind=CANCELLED_NOTICE,
        recipients=repo.told_about(forum.id, declined=False),
        now=now,
        staff=staff,
    )


async def _notify(
    session: AsyncSession,
    forum: Forum,
    *,
    kind: str,
    recipients: Any,
    now: datetime,
    staff: Staff,
    payload: dict[str, Any] | None = None,
) -> Broadcast:
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


# -- answers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What became of a person's answer."""

    status: str  # going | waitlist | not_going | closed | cancelled | past
    position: int = 0  # on the waitlist
    promoted: int | None = None  # the user id moved up from the waitlist


async def answer(  # noqa: PLR0911  (one return per outcome)
    session: AsyncSession, forum_id: int, user_id: int, going: bool, now: datetime
) -> tuple[Forum | None, Answer]:
    """Record "I'll come" or "Can't come". Capacity is respected (the forum's row is locked
    while counting); a place given up goes to the first on the waitlist, who is told."""
    forum = await repo.get_forum(session, forum_id, lock=True)
    if forum is None or forum.status == DRAFT:
        return None, Answer("missing")
    if forum.status == CANCELLED:
        return forum, Answer("cancelled")
    if forum.starts_at <= now:
        return forum, Answer("past")
    current = await repo.get_rsvp(session, forum_id, user_id)
    if going:
        if current is not None and current.status in {GOING, WAITLIST}:
            return forum, await _as_answer(session, current)
        if forum.deadline is not None and now > forum.deadline:
            return forum, Answer("closed")
        full = (
            forum.capacity is not None
            and await repo.count_status(session, forum_id, GOING) >= forum.capacity
        )
        rsvp = await repo.set_rsvp(session, forum_id, user_id, WAITLIST if full else GOING, now)
        return forum, await _as_answer(session, rsvp)
    was_going = current is not None and current.status == GOING
    await repo.set_rsvp(session, forum_id, user_id, NOT_GOING, now)
    promoted = await _promote(session, forum, now) if was_going else None
    return forum, Answer(NOT_GOING, promoted=promoted)


async def _as_answer(session: AsyncSession, rsvp: Rsvp) -> Answer:
    if rsvp.status == WAITLIST:
        return Answer(WAITLIST, position=await repo.waitlist_position(session, rsvp))
    return Answer(rsvp.status)


async def _promote(session: AsyncSession, forum: Forum, now: datetime) -> int | None:
    if forum.capacity is None:
        return None
    if await repo.count_status(session, forum.id, GOING) >= forum.capacity:
        return None
    first = await repo.first_waiting(session, forum.id)
    if first is None:
        return None
    first.status = GOING
    await outbox.enqueue_one(session, first.user_id, kind=PROMOTED, due_at=now, forum_id=forum.id)
    log.info("forum %s: user %s moved up from the waitlist", forum.id, first.user_id)
    return first.user_id


async def _fill_places(session: AsyncSession, forum: Forum, now: datetime) -> None:
    """Move people up from the waitlist while there are places; each is told."""
    await repo.get_forum(session, forum.id, lock=True)  # as answers do, while counting
    while await _promote(session, forum, now) is not None:
        pass


# -- reminders ------------------------------------------------------------------------------------


async def _schedule_reminders(
    session: AsyncSession, forum: Forum, now: datetime, schedule: Schedule
) -> None:
    due = [forum.starts_at - offset for offset in schedule.offsets]
    await repo.add_reminders(session, forum.id, [d for d in due if d > now], schedule.audience)


async def send_due_reminders(session: AsyncSession, now: datetime) -> int:
    """Turn reminders whose time has come into outbox rows, once. After downtime a late
    reminder still goes out, unless its forum has already started: then it is dropped,
    with a log line. (A delivery-worker hook.)"""
    queued = 0
    for reminder in await repo.due_reminders(session, now):
        forum = await repo.get_forum(session, reminder.forum_id)
        if forum is None or forum.status != PUBLISHED:
            reminder.status = "dropped"
            continue
        if forum.starts_at <= now:
            reminder.status = "dropped"
            log.warning(
                "reminder %s for forum %s dropped: it was due at %s, but the forum started "
                "at %s, before it could be sent",
                reminder.id,
                forum.id,
                reminder.due_at.isoformat(),
                forum.starts_at.isoformat(),
            )
            continue
        audience = (
            repo.subscribers_except_declined(forum.id)
            if reminder.audience == "subscribers"
            else repo.attendees_of(forum.id)
        )
        queued += await outbox.enqueue_to(
            session,
            audience,
            kind=REMINDER,
            due_at=now,
            forum_id=forum.id,
            payload={"reminder_id": reminder.id},
        )
        reminder.status = "done"
    return queued


# -- for staff ------------------------------------------------------------------------------------


def attendees_csv(rows: Sequence[tuple[Rsvp, Any]], zone: ZoneInfo) -> bytes:
    """The answers as CSV (UTF-8 with BOM, so spreadsheet programs read å, ä, ö)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["telegram_id", "answer", "answered_at", "language"])
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


# -- input from staff: the guided flow, files, calendar feeds -------------------------------------

FLOW_STEPS = (
    "title",
    "description",
    "start",
    "end",
    "place",
    "link",
    "focus",
    "capacity",
    "deadline",
)
OPTIONAL_STEPS = frozenset({"place", "link", "focus", "capacity", "deadline"})


def parse_local(text: str, zone: ZoneInfo, *, day: date | None = None) -> datetime | None:
    """ "2027-03-18 18:00" (or "18:00" on `day`) in the local zone, as an aware datetime."""
    text = text.strip().replace("T", " ").replace(".", ":")
    match = re.fullmatch(r"(?:(\d{4})-(\d{1,2})-(\d{1,2})\s+)?(\d{1,2}):(\d{2})", text)
    if not match or (match.group(1) is None and day is None):
        return None
    year, month, dom, hour, minute = match.groups()
    try:
        when_day = date(int(year), int(month), int(dom)) if year else day
        assert when_day is not None
        return datetime.combine(when_day, time(int(hour), int(minute)), tzinfo=zone)
    except ValueError:
        return None


@dataclass
class FlowResult:
    """After one answer in the guided flow: the next step, or a problem with the answer."""

    data: dict[str, Any]
    step: str | None  # None: all asked
    problem: str | None = None


def flow_answer(
    data: dict[str, Any], step: str, text: str | None, zone: ZoneInfo, now: datetime
) -> FlowResult:
    """Take the answer to `step` (None: skipped) and say what comes next."""
    data = dict(data)
    value = (text or "").strip()
    if text is None:
        if step not in OPTIONAL_STEPS:
            return FlowResult(data, step, "required")
        data[step] = None
    else:
        problem = _flow_value(data, step, value, zone, now)
        if problem:
            return FlowResult(data, step, problem)
    if step == "link" and not (data.get("place") or data.get("link")):
        return FlowResult(data, "place", "no_place")
    index = FLOW_STEPS.index(step)
    return FlowResult(data, FLOW_STEPS[index + 1] if index + 1 < len(FLOW_STEPS) else None)


def _flow_value(  # noqa: PLR0911  (one return per kind of answer)
    data: dict[str, Any], step: str, value: str, zone: ZoneInfo, now: datetime
) -> str | None:
    if step in {"title", "description", "place", "focus"}:
        limit = {"title": MAX_TITLE, "description": MAX_DESCRIPTION}.get(step, 300)
        if not value or len(value) > limit:
            return "too_long" if value else "required"
        data[step] = value
        return None
    if step == "link":
        if not re.match(r"^https?://\S+$", value):
            return "link"
        data[step] = value
        return None
    if step == "capacity":
        if not value.isdigit() or int(value) < 1:
            return "capacity"
        data[step] = int(value)
        return None
    start = datetime.fromisoformat(data["start"]) if data.get("start") else None
    when = parse_local(value, zone, day=start.astimezone(zone).date() if start else None)
    if when is None:
        return "datetime"
    if step == "start" and when <= now:
        return "in_the_past"
    if step == "end" and start is not None and when <= start:
        return "end_before_start"
    if step == "deadline" and start is not None and (when > start or when <= now):
        return "deadline"
    data[step] = when.isoformat()
    return None


def flow_fields(data: dict[str, Any]) -> ForumFields:
    """The fields gathered by the guided flow (in Swedish)."""

    def when(key: str) -> datetime | None:
        return datetime.fromisoformat(data[key]) if data.get(key) else None

    starts_at, ends_at = when("start"), when("end")
    if starts_at is None or ends_at is None:
        raise ForumError("datetime")
    return ForumFields(
        titles={AUTHORITATIVE: data.get("title") or ""},
        descriptions={AUTHORITATIVE: data.get("description") or ""},
        starts_at=starts_at,
        ends_at=ends_at,
        place=data.get("place"),
        link=data.get("link"),
        focus=data.get("focus"),
        capacity=data.get("capacity"),
        deadline=when("deadline"),
    )


@dataclass
class ImportReport:
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
    """Create or update forums by UID (files and calendar feeds). A published forum whose
    time changes is rescheduled (people are told); one cancelled in the source is
    cancelled here; new ones stay drafts for staff to publish, unless `publish_new`."""
    report = ImportReport()
    for item in items:
        try:
            fields = check(item)
        except ForumError as error:
            report.problems.append(f"{item.uid or item.titles.get(AUTHORITATIVE)}: {error.code}")
            continue
        existing = await repo.forum_by_uid(session, fields.uid) if fields.uid else None
        if existing is None:
            if fields.cancelled:
                continue
            forum = await create(session, fields, None, now)
            report.created.append(forum.id)
            if publish_new and forum.starts_at > now:
                await publish(session, forum, now, schedule, Staff())
                report.published.append(forum.id)
            continue
        if fields.cancelled:
            if existing.status != CANCELLED:
                await cancel(session, existing, now, Staff())
                report.cancelled.append(existing.id)
            else:
                report.unchanged.append(existing.id)
            continue
        changed = await _update(session, existing, fields, now, schedule)
        (report.updated if changed else report.unchanged).append(existing.id)
    return report


async def _update(
    session: AsyncSession, forum: Forum, fields: ForumFields, now: datetime, schedule: Schedule
) -> bool:
    """A file's or feed's version of a known forum. Those concerned are told: a new time or
    a new place, or a place freed by a larger capacity. Returns whether anything changed."""
    where = (forum.place, forum.link)
    changed = _update_details(forum, fields)
    moved = (fields.starts_at, fields.ends_at) != (forum.starts_at, forum.ends_at)
    if moved and forum.status != CANCELLED and fields.starts_at > now:
        await reschedule(
            session,
            forum,
            starts_at=fields.starts_at,
            ends_at=fields.ends_at,
            now=now,
            schedule=schedule,
            staff=Staff(),
        )  # the "moved" notice shows the place too
        changed = True
    live = forum.status == PUBLISHED and forum.starts_at > now
    if live and not moved and (forum.place, forum.link) != where:
        await outbox.drop_pending(session, forum.id, [PLACE_CHANGED])
        await _notify(
            session,
            forum,
            kind=PLACE_CHANGED,
            recipients=repo.told_about(forum.id, declined=False),
            now=now,
            staff=Staff(),
        )
    if changed and live:
        await _fill_places(session, forum, now)  # the capacity may have been raised
    return changed


def _update_details(forum: Forum, fields: ForumFields) -> bool:
    titles = {**forum.titles, **fields.titles}
    descriptions = {**forum.descriptions, **fields.descriptions}
    new = {
        "titles": titles,
        "descriptions": descriptions,
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
    Raises `ForumError` naming the forum and the problem."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ForumError("file", f"{path}: {error}") from None
    entries = document.get("forum")
    if not isinstance(entries, list) or not entries:
        raise ForumError("file", f"{path}: no [[forum]] tables")
    items = []
    for number, entry in enumerate(entries, start=1):
        try:
            items.append(check(_from_toml(entry, zone)))
        except ForumError as error:
            raise ForumError("file", f"{path}: forum {number}: {error}") from None
        except (KeyError, TypeError, ValueError) as error:
            raise ForumError("file", f"{path}: forum {number}: bad or missing {error}") from None
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
