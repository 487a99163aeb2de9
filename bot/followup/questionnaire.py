"""One organisation's questionnaire: for each principle of the pack a score (1–5, or 0 for
"don't know"), then "what should change?" (typed, or skipped), then "still active?", which
sends it. Every answer is saved at once, so the questionnaire can be left and picked up
days later, at the first step not answered (`answer.step`).

A score for a principle answered before (an old button pressed again) changes that score
and leaves the questionnaire where it is. Once sent, or once the round has closed, nothing
changes any more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversations import Flow
from bot.text import clean_paragraphs
from storage import conversations
from storage.models import FollowUp, FollowUpAnswer, Member

CHANGE, ACTIVE = "change", "active"  # the steps after the principles (whose steps are ids)
MAX_CHANGE = 1000
DONT_KNOW = 0


class Score(StrEnum):
    """A score as a button carries it."""

    ONE, TWO, THREE, FOUR, FIVE = "1", "2", "3", "4", "5"
    DONT_KNOW = "x"

    @property
    def stored(self) -> int:
        """As `FollowUpAnswer.scores` keeps it: 1–5, or 0 for "don't know"."""
        return DONT_KNOW if self is Score.DONT_KNOW else int(self.value)


class State(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"  # sent: thanks, nothing changes any more
    CLOSED = "closed"  # the deadline has passed


class ChangeProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "long"


@dataclass(frozen=True)
class Scored:
    saved: bool  # False: not a principle of this questionnaire
    moved_on: bool = False  # it was the step asked now: the next one follows


def state(answer: FollowUpAnswer, followup: FollowUp, now: datetime) -> State:
    if answer.submitted_at is not None:
        return State.SUBMITTED
    if followup.closed_at is not None or followup.deadline <= now:
        return State.CLOSED
    return State.OPEN


def steps(principles: Sequence[str]) -> list[str]:
    return [*principles, CHANGE, ACTIVE]


def current_step(answer: FollowUpAnswer, principles: Sequence[str]) -> str | None:
    """The step asked now: where the organisation left off (None once sent)."""
    if answer.submitted_at is not None:
        return None
    if answer.step in steps(principles):
        return answer.step
    return _first_open(answer, principles, 0)  # not opened yet, or the pack changed


async def arrive(
    session: AsyncSession, answer: FollowUpAnswer, principles: Sequence[str], now: datetime
) -> str | None:
    """Open the questionnaire at its current step: a typed answer is expected only at
    "what should change?", so only there does the contact's text go to it."""
    step = current_step(answer, principles)
    answer.step = step
    if answer.user_id is not None:
        if step == CHANGE:
            await conversations.begin(
                session, answer.user_id, Flow.FOLLOWUP, now, subject_id=answer.id
            )
        else:
            await conversations.end(session, answer.user_id, Flow.FOLLOWUP)
    return step


def score(
    answer: FollowUpAnswer,
    principles: Sequence[str],
    entry_id: str,
    value: Score,
    *,
    language: str,
    now: datetime,
) -> Scored:
    if entry_id not in principles:
        return Scored(saved=False)
    moved_on = current_step(answer, principles) == entry_id
    answer.scores = {**answer.scores, entry_id: value.stored}  # a new dict: JSON changes
    if moved_on:
        answer.step = _first_open(answer, principles, principles.index(entry_id) + 1)
    _touch(answer, language, now)
    return Scored(saved=True, moved_on=moved_on)


def write_change(
    answer: FollowUpAnswer, principles: Sequence[str], text: str, language: str, now: datetime
) -> ChangeProblem | None:
    """What should change, in the contact's words (cleaned; at most 1000 characters)."""
    if current_step(answer, principles) != CHANGE:
        raise ValueError("the questionnaire does not ask what should change now")
    cleaned = clean_paragraphs(text)
    if not cleaned:
        return ChangeProblem.EMPTY
    if len(cleaned) > MAX_CHANGE:
        return ChangeProblem.TOO_LONG
    answer.change, answer.step = cleaned, ACTIVE
    _touch(answer, language, now)
    return None


def skip_change(
    answer: FollowUpAnswer, principles: Sequence[str], language: str, now: datetime
) -> bool:
    if current_step(answer, principles) != CHANGE:
        return False
    answer.step = ACTIVE
    _touch(answer, language, now)
    return True


def finish(
    answer: FollowUpAnswer,
    member: Member,
    principles: Sequence[str],
    active: bool,
    *,
    language: str,
    now: datetime,
) -> bool:
    """The last question ("still active?") answered: the questionnaire is sent. "No longer
    active" puts the organisation on staff's list to confirm its removal from the register."""
    if current_step(answer, principles) != ACTIVE:
        return False
    answer.still_active, answer.step, answer.submitted_at = active, None, now
    if not active:
        member.inactive_reported_at = now
    _touch(answer, language, now)
    return True


def number(answer: FollowUpAnswer, principles: Sequence[str], step: str) -> tuple[int, int]:
    """Which question this is, and how many there are."""
    order = steps(principles)
    return order.index(step) + 1, len(order)


def _first_open(answer: FollowUpAnswer, principles: Sequence[str], start: int) -> str:
    """The first principle from `start` on without a score, else what should change."""
    return next((p for p in principles[start:] if p not in answer.scores), CHANGE)


def _touch(answer: FollowUpAnswer, language: str, now: datetime) -> None:
    answer.language, answer.updated_at = language, now
