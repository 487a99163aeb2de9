"""A follow-up round: started by staff for a year, asked of every organisation in the register
with a connected contact, reminded after 7 and 14 days, closed at its deadline. Organisations
that say they are no longer active wait on staff's list until staff confirm their removal
from the register (or keep them)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage import applications as register
from storage import followups as repo
from storage import outbox
from storage.models import FollowUp, FollowUpAnswer, Member

log = logging.getLogger(__name__)

INVITATION = "followup"  # the outbox kind of the first message to a contact
REMINDER = "followup_remind"  # the outbox kind of a reminder
DEFAULT_DAYS = 30  # the deadline when staff do not give one
MAX_DAYS = 366  # a deadline further away than this is a typing mistake


class StartProblem(StrEnum):
    PAST = "past"  # the deadline is not in the future
    TOO_FAR = "far"  # more than a year away
    CLOSED = "closed"  # this year's round has closed


@dataclass(frozen=True)
class Started:
    followup: FollowUp | None
    asked: int = 0  # organisations asked now (0 when starting again found nobody new)
    new: bool = False  # the round was created now
    problem: StartProblem | None = None


@dataclass(frozen=True)
class Status:
    followup: FollowUp
    asked: int
    submitted: int
    in_progress: int  # opened, not sent
    not_started: int
    not_asked: int  # connected contacts not asked yet (connected since the start)
    to_remove: int


def deadline_at(day: date, zone: ZoneInfo) -> datetime:
    """A deadline given as a date lasts to the end of that day, in the municipality's zone."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def last_day(followup: FollowUp, zone: ZoneInfo) -> date:
    """The last day answers are taken (as staff gave it)."""
    return (followup.deadline.astimezone(zone) - timedelta(microseconds=1)).date()


def default_deadline(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date() + timedelta(days=DEFAULT_DAYS)


def check_deadline(day: date, now: datetime, zone: ZoneInfo) -> StartProblem | None:
    today = now.astimezone(zone).date()
    if day < today:
        return StartProblem.PAST
    if day > today + timedelta(days=MAX_DAYS):
        return StartProblem.TOO_FAR
    return None


async def start(
    session: AsyncSession,
    *,
    year: int,
    deadline: date | None,
    pack: str,
    now: datetime,
    zone: ZoneInfo,
    started_by: int | None,
    default_language: str,
) -> Started:
    """Start the round for `year`, or start it again: either way every organisation with a
    connected contact that has not been asked is asked now (one outbox row each), and nobody
    is asked twice. An organisation whose contact changed before answering is asked of the
    new contact. `deadline` None keeps the round's deadline (a new round: 30 days)."""
    followup = await repo.round_of(session, year)
    if followup is not None and followup.closed_at is not None:
        return Started(followup, problem=StartProblem.CLOSED)
    if deadline is not None and (problem := check_deadline(deadline, now, zone)):
        return Started(followup, problem=problem)
    new = followup is None
    if followup is None:
        day = deadline or default_deadline(now, zone)
        followup = await repo.add_round(
            session,
            year=year,
            pack=pack,
            deadline=deadline_at(day, zone),
            started_by=started_by,
            now=now,
        )
    elif deadline is not None:
        followup.deadline = deadline_at(deadline, zone)
    asked = 0
    for member, asked_before, language in await repo.contacts_to_ask(session, followup.id):
        contact = member.contact_id
        assert contact is not None
        answer = asked_before
        if answer is not None and (answer.submitted_at or answer.user_id == contact):
            continue
        if answer is None:
            answer = FollowUpAnswer(
                followup_id=followup.id,
                member_id=member.id,
                scores={},
                reminders=0,
                language=language or default_language,
                asked_at=now,
                updated_at=now,
            )
            session.add(answer)
        answer.user_id, answer.asked_at, answer.reminders = contact, now, 0
        await session.flush()
        await outbox.enqueue_one(
            session, contact, kind=INVITATION, due_at=now, payload={"answer": answer.id}
        )
        asked += 1
    detail = f"{year}: {asked} asked, deadline {last_day(followup, zone).isoformat()}"
    await register.audit(
        session, started_by, "followup_started", f"followup:{followup.id}", detail, at=now
    )
    return Started(followup, asked, new)


async def status(session: AsyncSession, year: int) -> Status | None:
    followup = await repo.round_of(session, year)
    if followup is None:
        return None
    answers = [answer for answer, _ in await repo.answers_of_round(session, followup.id)]
    submitted = sum(1 for a in answers if a.submitted_at is not None)
    opened = sum(1 for a in answers if a.submitted_at is None and a.step is not None)
    not_asked = await repo.count_not_asked(session, followup.id) if not followup.closed_at else 0
    return Status(
        followup,
        len(answers),
        submitted,
        opened,
        len(answers) - submitted - opened,
        not_asked,
        len(await repo.reported_inactive(session)),
    )


async def send_due(session: AsyncSession, now: datetime) -> int:
    """Close rounds whose deadline has passed, then queue the reminders that are due (7 and
    14 days after a contact was asked, to those who have not sent their answers). A
    delivery-worker hook, so it runs again after downtime. Returns how many were queued."""
    for followup in await repo.close_due(session, now):
        log.info("follow-up %s closed at its deadline", followup.year)
    queued = 0
    for answer in await repo.due_reminders(session, now):
        assert answer.user_id is not None
        answer.reminders += 1
        await outbox.enqueue_one(
            session,
            answer.user_id,
            kind=REMINDER,
            due_at=now,
            payload={"answer": answer.id, "reminder": answer.reminders},
        )
        queued += 1
    return queued


# -- removal from the register ------------------------------------------------------------------


class Decision(StrEnum):
    REMOVE = "remove"
    KEEP = "keep"


async def decide_removal(
    session: AsyncSession,
    member_id: int,
    decision: Decision,
    *,
    actor: int | None,
    now: datetime,
    zone: ZoneInfo,
) -> Member | None:
    """Staff confirm that an organisation that said it is no longer active leaves the
    register (from today; the public register leaves it out), or keep it. None: it is no
    longer on the list (decided already, or unknown)."""
    member = await repo.get_member(session, member_id)
    if member is None or member.inactive_reported_at is None or member.left_on is not None:
        return None
    if decision is Decision.REMOVE:
        member.left_on = now.astimezone(zone).date()
        action = "member_left"
    else:
        member.inactive_reported_at = None
        action = "member_kept"
    await register.audit(session, actor, action, f"member:{member.id}", "follow-up", at=now)
    return member
