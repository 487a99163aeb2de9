"""Staff review of applications: notify reviewers, approve, reject with a reason, or ask the
applicant for more. Every action is checked against the reviewer role and audited; a
decision is taken once, whoever presses first."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.buttons import Button
from bot.context import CustomContext, IdeApplication
from bot.i18n import Translator
from handlers import staff
from handlers.application_notices import APPLICATION, REVIEW, REVIEW_CARD, card
from handlers.application_notices import payload as notice
from handlers.fallback import answer_stale
from handlers.turn import Turn, with_turn
from storage import applications as store
from storage import outbox
from storage.models import Application, PendingInput, utcnow

log = logging.getLogger(__name__)

REJECT_REASON, QUESTION, ANSWER = "reject_reason", "question", "answer"


async def reviewers(context: CustomContext, session: AsyncSession) -> list[int]:
    return sorted(set(context.settings.admin_ids) | set(await store.reviewer_ids(session)))


async def notify_reviewers(
    context: CustomContext, session: AsyncSession, application: Application, event: str
) -> None:
    """Queue the application's card for every reviewer, in the transaction that submits or
    answers it: the delivery worker sends it (in each reviewer's language) and retries, so
    no reviewer is missed and one unreachable reviewer stops no one."""
    for reviewer_id in await reviewers(context, session):
        await outbox.enqueue_one(
            session,
            reviewer_id,
            kind=REVIEW_CARD,
            due_at=context.now(),
            payload={"application": application.id, "event": event},
        )


@with_turn
async def review_button(update: Update, context: CustomContext, turn: Turn) -> None:
    query = update.callback_query
    person = update.effective_user
    raw_id, _, action = (
        (query.data or "").removeprefix(REVIEW).partition(":") if query else ("", "", "")
    )
    if query is None or person is None:
        return
    if not await staff.is_reviewer(context, turn, person.id):
        log.warning("user %s pressed a review button without the role: %r", person.id, query.data)
        await store.audit(
            turn.session, person.id, "refused", f"application:{raw_id[:20]}", query.data
        )
        turn.answer(turn.t.pgettext("staff", "This is for municipal staff only."), alert=True)
        return
    application = (
        await store.get_application(turn.session, int(raw_id)) if raw_id.isdigit() else None
    )
    if (
        application is None
        or application.status == "draft"
        or action not in {"a", "r", "m", "o", "f", "x"}
    ):
        answer_stale(turn)
        return
    turn.answer()
    await _review(context, turn, application, action, person.id)


async def _review(
    context: CustomContext, turn: Turn, application: Application, action: str, reviewer: int
) -> None:
    t = turn.t
    if action == "o":
        text, rows = card(
            t,
            application,
            t.pgettext(
                "review", "<b>Application {reference}</b>", reference=application.reference or ""
            ),
        )
        turn.reply(text, rows)
    elif action == "f" and application.attachment_file_id:
        turn.document(application.attachment_file_id, application.reference or "")
    elif action == "x":
        await store.clear_pending(turn.session, reviewer)
        turn.reply(t.pgettext("review", "All right, nothing was sent."))
    elif application.status not in ("submitted", "needs_info"):
        turn.reply(_already_decided(t, application))
    elif action == "a":
        await approve(context, turn, application, reviewer)
    else:
        kind = REJECT_REASON if action == "r" else QUESTION
        await store.set_pending(turn.session, reviewer, kind, application.id)
        cancel = [
            [
                Button(
                    t.pgettext("review", "✖ Cancel"),
                    f"{REVIEW}{application.id}:x",
                )
            ]
        ]
        ask = (
            t.pgettext(
                "review",
                "Write the reason for rejecting {reference}. The applicant will read it.",
                reference=application.reference or "",
            )
            if kind == REJECT_REASON
            else t.pgettext(
                "review",
                "Write your question to the applicant of {reference}.",
                reference=application.reference or "",
            )
        )
        turn.reply(ask, cancel)


async def _decide(
    turn: Turn, application: Application, status: str, reviewer: int, reason: str | None
) -> bool:
    """Take the decision unless another reviewer was first; then say so and return False."""
    if await store.decide(turn.session, application.id, status, reviewer, reason):
        return True
    await turn.session.refresh(application)
    turn.reply(_already_decided(turn.t, application))
    return False


async def _report(
    context: CustomContext,
    turn: Turn,
    application: Application,
    confirmation: str,
    *,
    event: str,
    text: str = "",
) -> None:
    """Confirm to the reviewer, and queue the applicant's notice in the same transaction
    as the decision: it is sent (and retried) by the delivery worker, in their language."""
    turn.reply(confirmation)
    if application.applicant_id is not None:
        await outbox.enqueue_one(
            turn.session,
            application.applicant_id,
            kind=APPLICATION,
            due_at=context.now(),
            payload=notice(event, application.reference or "", application.org_name or "", text),
        )


def _already_decided(t: Translator, application: Application) -> str:
    status = (
        t.pgettext("review", "approved")
        if application.status == "approved"
        else t.pgettext("review", "rejected")
    )
    return t.pgettext(
        "review",
        "{reference} has already been {status} by another reviewer.",
        reference=application.reference or "",
        status=status,
    )


async def approve(
    context: CustomContext, turn: Turn, application: Application, reviewer: int
) -> None:
    if not await _decide(turn, application, "approved", reviewer, None):
        return
    await store.add_member(
        turn.session,
        name=application.org_name or "",
        org_number=application.org_number,
        area=application.area,
        joined_on=utcnow().astimezone(context.settings.zone).date(),
        joined_via="application",
        public=bool(application.public),
        application_id=application.id,
    )
    await store.audit(turn.session, reviewer, "approved", f"application:{application.id}")
    await _report(
        context,
        turn,
        application,
        turn.t.pgettext(
            "review",
            "✅ {reference} approved; the organisation is now in the register.",
            reference=application.reference or "",
        ),
        event="approved",
    )


async def take_input(
    context: CustomContext, turn: Turn, pending: PendingInput, text: str, user_id: int
) -> None:
    """The text that a reviewer or an applicant was asked for (called by the inbox)."""
    application = await store.get_application(turn.session, pending.application_id)
    await store.clear_pending(turn.session, user_id)
    if application is None:
        return
    body = " ".join(text.split())[:1000]
    if pending.kind == ANSWER:
        await _applicant_answered(context, turn, application, body, user_id)
        return
    if not await staff.is_reviewer(context, turn, user_id):  # the role was taken away meanwhile
        turn.reply(turn.t.pgettext("staff", "This is for municipal staff only."))
        return
    if pending.kind == REJECT_REASON:
        await reject(context, turn, application, user_id, body)
    else:
        await ask_for_more(context, turn, application, user_id, body)


async def reject(
    context: CustomContext, turn: Turn, application: Application, reviewer: int, reason: str
) -> None:
    if not await _decide(turn, application, "rejected", reviewer, reason):
        return
    await store.audit(turn.session, reviewer, "rejected", f"application:{application.id}", reason)
    await _report(
        context,
        turn,
        application,
        turn.t.pgettext(
            "review",
            "❌ {reference} rejected; the applicant has been told the reason.",
            reference=application.reference or "",
        ),
        event="rejected",
        text=reason,
    )


async def ask_for_more(
    context: CustomContext, turn: Turn, application: Application, reviewer: int, question: str
) -> None:
    if (
        not await store.set_status(turn.session, application.id, "needs_info", was="submitted")
        and application.status != "needs_info"
    ):
        turn.reply(_already_decided(turn.t, application))
        return
    await store.add_note(turn.session, application.id, "reviewer", reviewer, question)
    await store.audit(turn.session, reviewer, "asked", f"application:{application.id}", question)
    if application.applicant_id is not None:
        await store.set_pending(turn.session, application.applicant_id, ANSWER, application.id)
    await _report(
        context,
        turn,
        application,
        turn.t.pgettext(
            "review",
            "Your question about {reference} has been sent to the applicant.",
            reference=application.reference or "",
        ),
        event="question",
        text=question,
    )


async def _applicant_answered(
    context: CustomContext, turn: Turn, application: Application, answer: str, user_id: int
) -> None:
    await store.add_note(turn.session, application.id, "applicant", user_id, answer)
    await store.set_status(turn.session, application.id, "submitted", was="needs_info")
    await store.audit(turn.session, user_id, "answered", f"application:{application.id}")
    turn.reply(
        turn.t.pgettext(
            "review",
            "Thank you! Your answer has been added to application {reference}.",
            reference=application.reference or "",
        )
    )
    await turn.session.refresh(application)
    await notify_reviewers(context, turn.session, application, "answered")


@with_turn
async def applications_command(update: Update, context: CustomContext, turn: Turn) -> None:
    if not await staff.admit(update, context, turn, reviewers=True):
        return
    pending = await store.pending_applications(turn.session)
    if not pending:
        turn.reply(turn.t.pgettext("review", "No applications are waiting for review."))
        return
    t = turn.t
    rows = [
        [Button(f"{a.reference} · {a.org_name}"[:60], f"{REVIEW}{a.id}:o")] for a in pending[:50]
    ]
    text = t.npgettext(
        "review",
        "{n} application is waiting, oldest first:",
        "{n} applications are waiting, oldest first:",
        len(pending),
    )
    turn.reply(text, rows)


def register(app: IdeApplication) -> None:
    app.add_handler(
        CommandHandler("applications", applications_command, filters=filters.ChatType.PRIVATE)
    )
    app.add_handler(CallbackQueryHandler(review_button, pattern=f"^{REVIEW}"))
