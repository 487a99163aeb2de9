"""The staff's guided flows, one question at a time, kept in the database (a
`Conversation`) so that a restart in the middle loses nothing: a new forum, a new time for
one, and its text in another language. Each step is declared once (`STEPS`), each flow's order once
(`FLOWS`); handlers ask the questions and show the problems."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversations import Flow
from bot.forums import lifecycle
from bot.forums.notices import Staff
from bot.forums.reminders import Schedule
from bot.forums.rules import (
    AUTHORITATIVE,
    LINK,
    MAX_DESCRIPTION,
    MAX_LINE,
    MAX_TITLE,
    ForumError,
    ForumFields,
    Problem,
    capacity_ok,
)
from bot.text import clean_line, clean_paragraphs
from storage import conversations
from storage import forums as repo
from storage.models import Broadcast, Conversation, Forum

LOCAL_TIME = re.compile(r"(?:(\d{4})-(\d{1,2})-(\d{1,2})\s+)?(\d{1,2}):(\d{2})")


class Step(StrEnum):
    """A question of a flow; the answer is kept under this key in the draft's data."""

    TITLE = "title"
    DESCRIPTION = "description"
    START = "start"
    END = "end"
    PLACE = "place"
    LINK = "link"
    FOCUS = "focus"
    CAPACITY = "capacity"
    DEADLINE = "deadline"


@dataclass(frozen=True)
class Asked:
    """What an answer is read against: the answers so far, the zone, the time."""

    data: Mapping[str, Any]
    zone: ZoneInfo
    now: datetime

    @property
    def start(self) -> datetime | None:
        value = self.data.get(Step.START)
        return datetime.fromisoformat(value) if value else None


Reader = Callable[[str, Asked], Any]  # an answer (stripped, not empty) → the value to keep


@dataclass(frozen=True)
class StepRule:
    read: Reader  # raises `ForumError` naming what is wrong with the answer
    optional: bool = False  # can be skipped


FLOWS: dict[Flow, tuple[Step, ...]] = {
    Flow.NEW_FORUM: tuple(Step),
    Flow.MOVE_FORUM: (Step.START, Step.END),
    Flow.TRANSLATE_FORUM: (Step.TITLE, Step.DESCRIPTION),
}


def parse_local(text: str, zone: ZoneInfo, *, day: date | None = None) -> datetime | None:
    """ "2027-03-18 18:00" (or "18:00" on `day`) in the local zone, as an aware datetime."""
    match = LOCAL_TIME.fullmatch(text.strip().replace("T", " ").replace(".", ":"))
    if not match or (match.group(1) is None and day is None):
        return None
    year, month, dom, hour, minute = match.groups()
    try:
        when_day = date(int(year), int(month), int(dom)) if year else day
        assert when_day is not None
        return datetime.combine(when_day, time(int(hour), int(minute)), tzinfo=zone)
    except ValueError:
        return None


def _text(limit: int, too_long: Problem) -> Reader:
    def read(value: str, _asked: Asked) -> str:
        if len(value) > limit:
            raise ForumError(too_long)
        return value

    return read


def _link(value: str, _asked: Asked) -> str:
    if not LINK.match(value):
        raise ForumError(Problem.LINK)
    return value


def _capacity(value: str, _asked: Asked) -> int:
    if not (value.isascii() and value.isdigit() and capacity_ok(int(value))):
        raise ForumError(Problem.CAPACITY)
    return int(value)


def _when(value: str, asked: Asked) -> datetime:
    """A date and time, or a time on the start's day."""
    start = asked.start
    when = parse_local(
        value, asked.zone, day=start.astimezone(asked.zone).date() if start else None
    )
    if when is None:
        raise ForumError(Problem.DATETIME)
    return when


def _start(value: str, asked: Asked) -> str:
    when = _when(value, asked)
    if when <= asked.now:
        raise ForumError(Problem.IN_THE_PAST)
    return when.isoformat()


def _end(value: str, asked: Asked) -> str:
    when, start = _when(value, asked), asked.start
    if start is not None and when <= start:
        raise ForumError(Problem.END_BEFORE_START)
    return when.isoformat()


def _deadline(value: str, asked: Asked) -> str:
    when, start = _when(value, asked), asked.start
    if when <= asked.now or (start is not None and when > start):
        raise ForumError(Problem.DEADLINE)
    return when.isoformat()


STEPS: dict[Step, StepRule] = {
    Step.TITLE: StepRule(_text(MAX_TITLE, Problem.TITLE_LONG)),
    Step.DESCRIPTION: StepRule(_text(MAX_DESCRIPTION, Problem.DESCRIPTION_LONG)),
    Step.START: StepRule(_start),
    Step.END: StepRule(_end),
    Step.PLACE: StepRule(_text(MAX_LINE, Problem.TOO_LONG), optional=True),
    Step.LINK: StepRule(_link, optional=True),  # but a place or a link is needed
    Step.FOCUS: StepRule(_text(MAX_LINE, Problem.TOO_LONG), optional=True),
    Step.CAPACITY: StepRule(_capacity, optional=True),
    Step.DEADLINE: StepRule(_deadline, optional=True),
}


@dataclass(frozen=True)
class FlowResult:
    """After one answer: the answers so far, and the step to ask next (None: all asked) or
    to ask again, with the problem."""

    data: dict[str, Any]
    step: Step | None
    problem: Problem | None = None


def answer(
    flow: Flow,
    data: Mapping[str, Any],
    step: Step,
    text: str | None,
    *,
    zone: ZoneInfo,
    now: datetime,
) -> FlowResult:
    """Take the answer to `step` (None: skipped) and say what comes next."""
    clean = clean_paragraphs if step is Step.DESCRIPTION else clean_line
    data, value = dict(data), clean(text or "")
    if text is None and STEPS[step].optional:
        data[step] = None
    elif not value:
        return FlowResult(data, step, Problem.REQUIRED)
    else:
        try:
            data[step] = STEPS[step].read(value, Asked(data, zone, now))
        except ForumError as error:
            return FlowResult(data, step, error.problem)
    if step is Step.LINK and not (data.get(Step.PLACE) or data.get(Step.LINK)):
        return FlowResult(data, Step.PLACE, Problem.NO_PLACE)
    steps = FLOWS[flow]
    index = steps.index(step) + 1
    return FlowResult(data, steps[index] if index < len(steps) else None)


def forum_fields(data: Mapping[str, Any]) -> ForumFields:
    """The fields gathered by the forum flow (in Swedish)."""

    def when(step: Step) -> datetime | None:
        return datetime.fromisoformat(data[step]) if data.get(step) else None

    starts_at, ends_at = when(Step.START), when(Step.END)
    if starts_at is None or ends_at is None:
        raise ForumError(Problem.DATETIME)
    return ForumFields(
        titles={AUTHORITATIVE: data.get(Step.TITLE) or ""},
        descriptions={AUTHORITATIVE: data.get(Step.DESCRIPTION) or ""},
        starts_at=starts_at,
        ends_at=ends_at,
        place=data.get(Step.PLACE),
        link=data.get(Step.LINK),
        focus=data.get(Step.FOCUS),
        capacity=data.get(Step.CAPACITY),
        deadline=when(Step.DEADLINE),
    )


# -- the draft in the database ------------------------------------------------------------


async def begin(
    session: AsyncSession,
    user_id: int,
    flow: Flow,
    now: datetime,
    *,
    forum_id: int | None = None,
    language: str | None = None,
) -> Step:
    """Start a flow (leaving any other this person was in); its first step."""
    first = FLOWS[flow][0]
    data = {"language": language} if language else None
    await conversations.begin(
        session, user_id, flow, now, step=first, subject_id=forum_id, data=data
    )
    return first


@dataclass(frozen=True)
class Taken:
    """After one answer to a draft: the step to ask next, or again with the `problem`; or,
    when all was asked, the forum made or changed (and the broadcast that tells people)."""

    flow: Flow
    step: Step | None
    problem: Problem | None = None
    forum: Forum | None = None
    broadcast: Broadcast | None = None


async def take(
    session: AsyncSession,
    draft: Conversation,
    text: str | None,
    *,
    zone: ZoneInfo,
    now: datetime,
    schedule: Schedule,
    staff: Staff,
) -> Taken:
    """One answer (None: skipped) to the flow `draft` is in; the last one finishes it."""
    flow = Flow(draft.flow)
    result = answer(flow, draft.data, Step(draft.step or FLOWS[flow][0]), text, zone=zone, now=now)
    if result.problem is not None:
        return Taken(flow, result.step, result.problem)
    if result.step is not None:
        draft.data, draft.step, draft.updated_at = result.data, result.step, now
        return Taken(flow, result.step)
    await conversations.end(session, draft.user_id)
    try:
        forum, broadcast = await _finish(
            session, draft, result.data, now=now, schedule=schedule, staff=staff
        )
    except ForumError as error:
        return Taken(flow, None, error.problem)
    return Taken(flow, None, forum=forum, broadcast=broadcast)


async def _finish(
    session: AsyncSession,
    draft: Conversation,
    data: Mapping[str, Any],
    *,
    now: datetime,
    schedule: Schedule,
    staff: Staff,
) -> tuple[Forum, Broadcast | None]:
    if draft.flow == Flow.NEW_FORUM:
        return await lifecycle.create(session, forum_fields(data), draft.user_id, now), None
    forum = await repo.get_forum(session, draft.subject_id or 0)
    if forum is None:
        raise ForumError(Problem.MISSING)
    if draft.flow == Flow.TRANSLATE_FORUM:
        lifecycle.set_text(forum, data["language"], data[Step.TITLE], data[Step.DESCRIPTION])
        return forum, None
    broadcast = await lifecycle.reschedule(
        session,
        forum,
        starts_at=datetime.fromisoformat(data[Step.START]),
        ends_at=datetime.fromisoformat(data[Step.END]),
        now=now,
        schedule=schedule,
        staff=staff,
    )
    return forum, broadcast
