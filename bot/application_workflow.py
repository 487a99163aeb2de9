"""An application after the form: submit, ask the applicant for more, the applicant's answer,
approve (into the register), reject with a reason.

Each step changes the database in the caller's transaction, writes its audit entry, and
queues what must be sent (the applicant's notice, the reviewers' cards) in the outbox in the
same transaction: the delivery worker sends it, in each reader's language at the time. A
decision is taken once: of two reviewers deciding at the same moment, one wins and the other
gets `ALREADY_DECIDED`. Who may review is the caller's check; `now` is the caller's clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot import applications as fields
from bot.application_form import Duplicate, find_duplicate
from bot.conversations import Flow
from bot.text import clean_paragraphs
from storage import applications as store
from storage import conversations, outbox
from storage.models import OPEN_STATUSES, Application, ApplicationStatus

APPLICATION = "application"  # the outbox kind: a notice to the applicant
REVIEW_CARD = "review"  # the outbox kind: an application's card, for one reviewer
JOINED_BY_APPLICATION = "application"  # the register's `joined_via`
MAX_TEXT = 1000  # characters of a reason, a question or an answer that are kept


class Notice(StrEnum):
    """What the applicant is told."""

    APPROVED = "approved"
    REJECTED = "rejected"
    QUESTION = "question"


class CardEvent(StrEnum):
    """Why reviewers get an application's card."""

    NEW = "new"
    ANSWERED = "answered"  # the applicant answered a question


class Audit(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    ASKED = "asked"
    ANSWERED = "answered"
    REFUSED = "refused"  # a review button pressed by someone without the role


class Author(StrEnum):
    REVIEWER = "reviewer"
    APPLICANT = "applicant"


class Outcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"  # no such submitted application (a draft, or deleted)
    NOT_READY = "not_ready"  # submit before every field is answered
    DUPLICATE = "duplicate"  # the organisation has joined, or has an open application
    ALREADY_DECIDED = "already_decided"
    EMPTY = "empty"  # a reason, question or answer without text


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    application: Application | None = None
    duplicate: Duplicate | None = None

    @property
    def done(self) -> bool:
        return self.outcome is Outcome.DONE


def subject(application_id: int) -> str:
    """How the audit log names an application."""
    return f"application:{application_id}"


async def reviewers(session: AsyncSession, admins: Iterable[int]) -> list[int]:
    """Everyone who reviews: the configured admins and those given the role."""
    return sorted(set(admins) | set(await store.reviewer_ids(session)))


async def submit(
    session: AsyncSession, draft: Application, admins: Iterable[int], now: datetime
) -> Result:
    """Give the draft its reference and queue its card for every reviewer; not if a field
    is unanswered, or the organisation has joined or applied already."""
    if draft.status != ApplicationStatus.DRAFT or draft.step is not None:
        return Result(Outcome.NOT_READY, draft)
    if draft.org_number and (
        duplicate := await find_duplicate(session, draft.org_number, draft.id)
    ):
        return Result(Outcome.DUPLICATE, draft, duplicate)
    if not await store.submit(session, draft, fields.reference(draft.id, now.year), now):
        duplicate = await find_duplicate(session, draft.org_number or "", draft.id)
        return Result(Outcome.DUPLICATE, draft, duplicate)  # it arrived a moment earlier
    await store.audit(session, draft.applicant_id, Audit.SUBMITTED, subject(draft.id), at=now)
    if draft.applicant_id is not None:
        await conversations.end(session, draft.applicant_id, Flow.APPLICATION)
    await _queue_cards(session, draft, CardEvent.NEW, admins, now)
    return Result(Outcome.DONE, draft)


async def submitted(session: AsyncSession, application_id: int) -> Application | None:
    """A submitted application (undecided or decided), with its notes; None for a draft."""
    application = await store.get_application(session, application_id)
    if application is None or application.status == ApplicationStatus.DRAFT:
        return None
    return application


async def refused(
    session: AsyncSession, actor: int, application_id: int, data: str, now: datetime
) -> None:
    """Someone without the reviewer role pressed a review button: on the record."""
    await store.audit(session, actor, Audit.REFUSED, subject(application_id), data, at=now)


async def await_input(
    session: AsyncSession, user_id: int, kind: Flow, application_id: int, now: datetime
) -> Result:
    """The reviewer's next text is the reason to reject, or the question to ask."""
    application = await submitted(session, application_id)
    if application is None:
        return Result(Outcome.NOT_FOUND)
    if application.status not in OPEN_STATUSES:
        return Result(Outcome.ALREADY_DECIDED, application)
    await conversations.begin(session, user_id, kind, now, subject_id=application_id)
    return Result(Outcome.DONE, application)


async def cancel_input(session: AsyncSession, user_id: int) -> None:
    await conversations.end(session, user_id)


async def approve(
    session: AsyncSession, application_id: int, reviewer: int, now: datetime, zone: tzinfo
) -> Result:
    """Approve, add the organisation to the register (joined today, in `zone`), and tell
    the applicant."""
    application = await submitted(session, application_id)
    if application is None:
        return Result(Outcome.NOT_FOUND)
    if not await _decide(session, application, ApplicationStatus.APPROVED, reviewer, now=now):
        return Result(Outcome.ALREADY_DECIDED, application)
    await store.add_member(
        session,
        name=application.org_name or "",
        org_number=application.org_number,
        area=application.area,
        joined_on=now.astimezone(zone).date(),
        joined_via=JOINED_BY_APPLICATION,
        public=bool(application.public),
        application_id=application.id,
        contact_id=application.applicant_id,  # the applicant is its contact from now on
    )
    await store.audit(session, reviewer, Audit.APPROVED, subject(application.id), at=now)
    await _notify_applicant(session, application, Notice.APPROVED, "", now)
    return Result(Outcome.DONE, application)


async def reject(
    session: AsyncSession, application_id: int, reviewer: int, reason: str, now: datetime
) -> Result:
    """Reject with a reason (required; the applicant reads it). Uses up the reviewer's
    pending input."""
    written = await _written(session, application_id, reviewer, Flow.REJECT_REASON, reason)
    if isinstance(written, Result):
        return written
    text, application = written
    rejected = ApplicationStatus.REJECTED
    if not await _decide(session, application, rejected, reviewer, reason=text, now=now):
        return Result(Outcome.ALREADY_DECIDED, application)
    await store.audit(session, reviewer, Audit.REJECTED, subject(application.id), text, at=now)
    await _notify_applicant(session, application, Notice.REJECTED, text, now)
    return Result(Outcome.DONE, application)


async def ask_for_more(
    session: AsyncSession, application_id: int, reviewer: int, question: str, now: datetime
) -> Result:
    """Send the applicant a question; their next message is the answer. The application
    waits (`NEEDS_INFO`) until it comes, and can still be decided meanwhile."""
    written = await _written(session, application_id, reviewer, Flow.QUESTION, question)
    if isinstance(written, Result):
        return written
    text, application = written
    status = ApplicationStatus.NEEDS_INFO
    if not await store.set_status(session, application.id, status, was=OPEN_STATUSES, now=now):
        await session.refresh(application)
        return Result(Outcome.ALREADY_DECIDED, application)
    await store.add_note(session, application.id, Author.REVIEWER, reviewer, text, now=now)
    await store.audit(session, reviewer, Audit.ASKED, subject(application.id), text, at=now)
    if application.applicant_id is not None:
        await conversations.begin(
            session, application.applicant_id, Flow.ANSWER, now, subject_id=application.id
        )
    await _notify_applicant(session, application, Notice.QUESTION, text, now)
    return Result(Outcome.DONE, application)


async def answer(
    session: AsyncSession,
    application_id: int,
    applicant: int,
    text: str,
    *,
    admins: Iterable[int],
    now: datetime,
) -> Result:
    """The applicant's answer to a question: attached to the application, which is back
    with the reviewers (a new card for each), unless it was decided meanwhile."""
    written = await _written(session, application_id, applicant, Flow.ANSWER, text)
    if isinstance(written, Result):
        return written
    body, application = written
    await store.add_note(session, application.id, Author.APPLICANT, applicant, body, now=now)
    await store.audit(session, applicant, Audit.ANSWERED, subject(application.id), at=now)
    back = await store.set_status(
        session,
        application.id,
        ApplicationStatus.SUBMITTED,
        was=(ApplicationStatus.NEEDS_INFO,),
        now=now,
    )
    if back:
        await _queue_cards(session, application, CardEvent.ANSWERED, admins, now)
    return Result(Outcome.DONE, application)


def notice_payload(event: Notice, reference: str, name: str, text: str = "") -> dict[str, str]:
    return {"event": event, "reference": reference, "name": name, "text": text}


def card_payload(application_id: int, event: CardEvent) -> dict[str, object]:
    return {"application": application_id, "event": event}


async def _decide(
    session: AsyncSession,
    application: Application,
    status: ApplicationStatus,
    reviewer: int,
    *,
    reason: str | None = None,
    now: datetime,
) -> bool:
    """Take the decision unless another reviewer was first (then the application shows
    theirs)."""
    if await store.decide(session, application.id, status, reviewer, reason=reason, now=now):
        return True
    await session.refresh(application)
    return False


async def _notify_applicant(
    session: AsyncSession, application: Application, event: Notice, text: str, now: datetime
) -> None:
    if application.applicant_id is None:  # erased their data: nobody to tell
        return
    payload = notice_payload(event, application.reference or "", application.org_name or "", text)
    await outbox.enqueue_one(
        session, application.applicant_id, kind=APPLICATION, due_at=now, payload=payload
    )


async def _queue_cards(
    session: AsyncSession,
    application: Application,
    event: CardEvent,
    admins: Iterable[int],
    now: datetime,
) -> None:
    """One card per reviewer: one unreachable reviewer stops no one, and a card still
    queued when the application is decided is not sent."""
    for reviewer in await reviewers(session, admins):
        await outbox.enqueue_one(
            session,
            reviewer,
            kind=REVIEW_CARD,
            due_at=now,
            payload=card_payload(application.id, event),
        )


async def _written(
    session: AsyncSession, application_id: int, writer: int, flow: Flow, raw: str
) -> tuple[str, Application] | Result:
    """The text a person was asked for, cleaned, about an application that is still there;
    their conversation ends with it. Else the `Result` that says why not."""
    text = _clean(raw)
    if not text:
        return Result(Outcome.EMPTY)  # still asked: the conversation goes on
    await conversations.end(session, writer, flow)
    application = await submitted(session, application_id)
    if application is None:
        return Result(Outcome.NOT_FOUND)
    return text, application


def _clean(text: str) -> str:
    return clean_paragraphs(text)[:MAX_TEXT]
