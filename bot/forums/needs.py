"""Access needs of the people coming to a forum: interpretation (into a supported language,
or one they type) and anything else to arrange, kept on their answer (`Rsvp`). Staff see a
summary without names (on the forum's card, and sent to them a week before the start);
the names only when they open the list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from babel import Locale
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import application_workflow
from bot.config import SUPPORTED_LANGUAGES
from bot.forums.rules import AUTHORITATIVE
from bot.i18n import EASY_SWEDISH, babel_locale
from bot.text import clean_line, clean_paragraphs
from storage import forums as repo
from storage import outbox
from storage.models import Forum, Rsvp

MAX_LANGUAGE = 60  # characters of a typed language name
MAX_NEEDS = 500  # characters of "anything else"
NO_INTERPRETATION = ""  # answered "none needed" (None: not asked or not answered yet)
SUMMARY_BEFORE = timedelta(days=7)  # staff get the summary this long before the start
KIND = "needs"  # the outbox kind of staff's summary, and the audience of its reminder
COMING = (repo.GOING, repo.WAITLIST)
# Interpretation from Swedish: into every other language we speak (easy-to-read Swedish is
# still Swedish).
INTERPRETED = tuple(c for c in SUPPORTED_LANGUAGES if c not in (AUTHORITATIVE, EASY_SWEDISH))


class NeedsProblem(StrEnum):
    """Why an answer about needs cannot be taken; each has its own text."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_COMING = "not_coming"  # no answer "I'll come" (any more), or no such forum
    PAST = "past"  # the forum has started


class NeedsError(ValueError):
    def __init__(self, problem: NeedsProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def clean_language(text: str) -> str:
    """A typed language: a supported one's code if it names one (in any of our languages:
    "arabiska", "Arabic", "العربية"), else the cleaned name."""
    value = clean_line(text)
    if not value:
        raise NeedsError(NeedsProblem.EMPTY)
    if len(value) > MAX_LANGUAGE:
        raise NeedsError(NeedsProblem.TOO_LONG)
    return _known_names().get(value.casefold(), value)


def _known_names() -> dict[str, str]:
    names: dict[str, str] = {code: code for code in INTERPRETED}
    for code in INTERPRETED:
        for reader in SUPPORTED_LANGUAGES:
            name = Locale.parse(code).get_display_name(babel_locale(reader))
            if name:
                names[name.casefold()] = code
    return names


def clean_needs(text: str) -> str:
    value = clean_paragraphs(text)
    if not value:
        raise NeedsError(NeedsProblem.EMPTY)
    if len(value) > MAX_NEEDS:
        raise NeedsError(NeedsProblem.TOO_LONG)
    return value


def should_ask(rsvp: Rsvp | None) -> bool:
    """Asked after "I'll come" until answered once (a later "I'll come" keeps the answers)."""
    return rsvp is not None and rsvp.status in COMING and rsvp.interpretation is None


async def coming(session: AsyncSession, forum_id: int, user_id: int, now: datetime) -> Rsvp:
    """The person's answer, while they are coming to a forum that has not started."""
    forum = await repo.get_forum(session, forum_id)
    rsvp = await repo.get_rsvp(session, forum_id, user_id)
    if forum is None or forum.status != repo.PUBLISHED or rsvp is None:
        raise NeedsError(NeedsProblem.NOT_COMING)
    if forum.starts_at <= now:
        raise NeedsError(NeedsProblem.PAST)
    if rsvp.status not in COMING:
        raise NeedsError(NeedsProblem.NOT_COMING)
    return rsvp


async def set_interpretation(
    session: AsyncSession, forum_id: int, user_id: int, language: str, now: datetime
) -> Rsvp:
    """`language`: a code of `INTERPRETED`, `NO_INTERPRETATION`, or a cleaned typed name."""
    rsvp = await coming(session, forum_id, user_id, now)
    rsvp.interpretation = language
    return rsvp


async def set_needs(
    session: AsyncSession, forum_id: int, user_id: int, text: str | None, now: datetime
) -> Rsvp:
    """Anything else to arrange (None: nothing)."""
    rsvp = await coming(session, forum_id, user_id, now)
    rsvp.needs = clean_needs(text) if text is not None else None
    if rsvp.interpretation is None:
        rsvp.interpretation = NO_INTERPRETATION  # answered, even if the first part was skipped
    return rsvp


@dataclass(frozen=True)
class Summary:
    """Without names: people per interpretation language (a supported code, or a typed
    name), most asked first, and how many asked for anything else."""

    interpretation: tuple[tuple[str, int], ...]
    other: int


async def summary(session: AsyncSession, forum_id: int) -> Summary:
    """Counting only those coming or on the waitlist. Typed names are counted together
    however they are capitalised."""
    rows = await session.execute(
        select(Rsvp.interpretation, Rsvp.needs).where(
            Rsvp.forum_id == forum_id, Rsvp.status.in_(COMING)
        )
    )
    counts: dict[str, int] = {}
    spelled: dict[str, str] = {}  # casefolded → as first written
    other = 0
    for interpretation, needs in rows.all():
        if interpretation:
            key = spelled.setdefault(interpretation.casefold(), interpretation)
            counts[key] = counts.get(key, 0) + 1
        other += bool(needs)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return Summary(tuple(ordered), other)


async def with_needs(session: AsyncSession, forum_id: int) -> Sequence[Rsvp]:
    """Those coming or waiting who asked for something, in the order they answered."""
    rows = await session.scalars(
        select(Rsvp)
        .where(Rsvp.forum_id == forum_id, Rsvp.status.in_(COMING))
        .order_by(Rsvp.answered_at, Rsvp.id)
    )
    return [rsvp for rsvp in rows if rsvp.needs or rsvp.interpretation]


def summary_due(forum: Forum) -> datetime:
    return forum.starts_at - SUMMARY_BEFORE


async def queue_summary(
    session: AsyncSession, forum: Forum, now: datetime, admins: Iterable[int]
) -> int:
    """The summary for every member of staff (worded, with the figures of that moment,
    when it is sent). Returns how many were queued."""
    staff = await application_workflow.reviewers(session, admins)
    for user_id in staff:
        await outbox.enqueue_one(session, user_id, kind=KIND, due_at=now, forum_id=forum.id)
    return len(staff)
