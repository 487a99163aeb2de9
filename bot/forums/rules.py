"""What a forum must be: the fields staff give (from the guided flow, a file or a calendar
feed), their limits, and the named problems that handlers show in the reader's language."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import Translator
from storage.models import Forum

AUTHORITATIVE = "sv"  # a forum's Swedish text is required; other languages fall back to it
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_LINE = 300  # a place or a focus area
MAX_CAPACITY = 100_000  # more places than any room has; keeps the number in the column
LINK = re.compile(r"^https?://\S+$")
LONG_DATE = "EEEE d MMMM y, HH:mm"  # a forum's start, in the reader's locale

OtherLanguage = StrEnum(  # type: ignore[misc]  # members from the configuration
    "OtherLanguage", {code: code for code in SUPPORTED_LANGUAGES if code != AUTHORITATIVE}
)
"""A language a forum's (or a newsletter's) text can be added in, after the Swedish."""


class Problem(StrEnum):
    """Why a forum, or one answer in a staff flow, cannot be taken. Each has its own text
    (`handlers.forum_admin_texts.PROBLEMS`; a test checks every one)."""

    REQUIRED = "required"  # an answer the flow cannot do without
    TITLE_SV = "title_sv"  # a forum without a Swedish title
    TITLE_LONG = "title_long"
    DESCRIPTION_LONG = "description_long"
    TOO_LONG = "too_long"  # a place or a focus area
    DATETIME = "datetime"  # not a date and time we can read
    IN_THE_PAST = "in_the_past"
    END_BEFORE_START = "end_before_start"
    NO_PLACE = "no_place"  # neither a place nor a link
    LINK = "link"
    CAPACITY = "capacity"
    DEADLINE = "deadline"  # after the start, or already passed
    NOT_DRAFT = "not_draft"  # publishing what is already published
    CANCELLED = "cancelled"  # changing a cancelled forum
    MISSING = "missing"  # the forum a flow was about is gone
    FILE = "file"  # a forum file that cannot be read (the detail says why)


class ForumError(ValueError):
    """A forum that cannot be saved, or an answer that cannot be taken."""

    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(f"{problem}: {detail}" if detail else str(problem))
        self.problem = problem
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


def check(fields: ForumFields) -> ForumFields:
    """The fields, tidied; raises `ForumError` naming the first problem."""
    titles = {k: v.strip() for k, v in fields.titles.items() if v and v.strip()}
    descriptions = {k: v.strip() for k, v in fields.descriptions.items() if v and v.strip()}
    failures = (  # in the order they are reported
        (AUTHORITATIVE not in titles, Problem.TITLE_SV),
        (any(len(title) > MAX_TITLE for title in titles.values()), Problem.TITLE_LONG),
        (any(len(d) > MAX_DESCRIPTION for d in descriptions.values()), Problem.DESCRIPTION_LONG),
        (fields.ends_at <= fields.starts_at, Problem.END_BEFORE_START),
        (not (fields.place or fields.link), Problem.NO_PLACE),
        (bool(fields.link) and not LINK.match(fields.link or ""), Problem.LINK),
        (not capacity_ok(fields.capacity), Problem.CAPACITY),
        (fields.deadline is not None and fields.deadline > fields.starts_at, Problem.DEADLINE),
    )
    for failed, problem in failures:
        if failed:
            raise ForumError(problem)
    return replace(fields, titles=titles, descriptions=descriptions)


def capacity_ok(capacity: int | None) -> bool:
    """No limit, or a number of places a room can have."""
    return capacity is None or 1 <= capacity <= MAX_CAPACITY


def text_in(forum: Forum, language: str) -> tuple[str, str, bool]:
    """Title and description in `language`, else Swedish; True when it fell back."""
    if language in forum.titles:
        return forum.titles[language], forum.descriptions.get(language, ""), False
    return (
        forum.titles.get(AUTHORITATIVE, ""),
        forum.descriptions.get(AUTHORITATIVE, ""),
        language != AUTHORITATIVE,
    )


def when(t: Translator, forum: Forum) -> str:
    """ "Thursday 18 March 2027, 18:00–20:30", in the reader's language and our zone (the
    chat and the public pages say it the same way)."""
    start = t.datetime(forum.starts_at, LONG_DATE)
    same_day = forum.starts_at.astimezone(t.zone).date() == forum.ends_at.astimezone(t.zone).date()
    end = t.datetime(forum.ends_at, "HH:mm" if same_day else LONG_DATE)
    return f"{start}–{end}"
